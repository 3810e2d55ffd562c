package io.vplane.blockstore.backend;

import io.vplane.engine.linux.Errno;
import io.vplane.engine.linux.MemoryMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * A read-only shared mapping of a whole image file, from which large READ replies are sent without
 * copying the data into a reply buffer first. Mapped lazily and again, larger, when the image grows.
 * A mapping belongs to an automatic arena: it is unmapped only once no reply view refers to it, so
 * a view handed to an event loop can never point at memory reused for something else.
 */
final class ImageMapping
{
    private static final Logger LOG = LoggerFactory.getLogger(ImageMapping.class);

    private final Path path;
    private final FileChannel channel;
    private volatile MemorySegment mapped;
    /** The kernel lacks MADV_POPULATE_READ or the file cannot be mapped: the backend reads instead. */
    private volatile boolean unavailable;

    ImageMapping(final Path path, final FileChannel channel)
    {
        this.path = path;
        this.channel = channel;
    }

    /** @return a resident view of the range, or null (see {@link StorageBackend#residentView}) */
    MemorySegment view(final long offset, final int length) throws IOException
    {
        if (unavailable)
        {
            return null;
        }
        MemorySegment image = mapped;
        if (null == image || offset + length > image.byteSize())
        {
            image = remap(offset + length);
            if (null == image)
            {
                return null;
            }
        }
        final MemorySegment view = image.asSlice(offset, length);
        // Already in the page cache (the common case): the send's copy faults nothing in from disk.
        if (length <= MemoryMap.MAX_RESIDENT_CHECK_BYTES && 1 == MemoryMap.resident(view.address(), length))
        {
            return view;
        }
        final int result = MemoryMap.madvise(view.address(), length, MemoryMap.MADV_POPULATE_READ);
        if (0 == result)
        {
            return view;
        }
        if (-Errno.EFAULT == result)
        {
            return null; // the file is shorter than the disk now (shrunk underneath): read() zero-fills
        }
        if (-Errno.EINVAL == result)
        {
            giveUp("the kernel has no MADV_POPULATE_READ (Linux 5.14 added it)");
            return null;
        }
        throw new IOException("madvise(MADV_POPULATE_READ) on " + path + " failed: errno " + -result);
    }

    private synchronized MemorySegment remap(final long end) throws IOException
    {
        final MemorySegment current = mapped;
        if (null != current && end <= current.byteSize())
        {
            return current;
        }
        final long fileSize = channel.size();
        if (end > fileSize)
        {
            return null;
        }
        try
        {
            mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, fileSize, Arena.ofAuto());
            return mapped;
        }
        catch (final IOException | UnsupportedOperationException ex)
        {
            giveUp("mapping " + fileSize + " bytes failed: " + ex); // e.g. larger than the address space
            return null;
        }
    }

    /** Large READs of this image are copied with pread from now on; said once. */
    private void giveUp(final String reason)
    {
        if (!unavailable)
        {
            unavailable = true;
            LOG.info("{}: large READs use pread instead of the mapped image: {}", path, reason);
        }
    }
}
