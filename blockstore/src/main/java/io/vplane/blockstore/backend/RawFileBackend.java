package io.vplane.blockstore.backend;

import io.vplane.engine.confine.ConfinedDirectory;
import io.vplane.engine.linux.Errno;
import io.vplane.engine.linux.FileIo;
import io.vplane.engine.linux.Iovec;
import io.vplane.engine.linux.Pipes;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A raw image file: byte {@code n} of the disk is byte {@code n} of the file. Reads and writes are
 * positional (no shared file position, so several workers may use one disk). TRIM and
 * WRITE_ZEROES use fallocate, holes are found with SEEK_DATA / SEEK_HOLE, on a second descriptor
 * opened through the FFM API because FileChannel does not expose its own.
 */
public final class RawFileBackend implements StorageBackend
{
    /** New images are the daemon's alone: clients reach them through NBD, never as files. */
    private static final int IMAGE_MODE = 0600;
    private static final int ZERO_CHUNK_BYTES = 1 << 20;
    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(ZERO_CHUNK_BYTES).asReadOnlyBuffer();
    /** Written with pwrite, whose errno a full file system shows up in (see SystemCallException). */
    private static final long ZEROS_ADDRESS = MemorySegment.ofBuffer(ZEROS).address();

    private final Path path;
    private final FileChannel channel;
    private final int fd;
    /** Changed only by {@link #resize}; read by workers for the end of the last extent. */
    private volatile long sizeBytes;
    private final boolean readOnly;
    private volatile boolean zeroRangeSupported = true;
    private final AtomicLong holeGeneration = new AtomicLong();
    private final ImageMapping mapping;

    private RawFileBackend(final Path path, final FileChannel channel, final int fd, final long sizeBytes, final boolean readOnly)
    {
        this.path = path;
        this.channel = channel;
        this.fd = fd;
        this.sizeBytes = sizeBytes;
        this.readOnly = readOnly;
        this.mapping = new ImageMapping(path, channel);
    }

    /**
     * Opens an image in its own directory, creating it sparse with {@code sizeBytes} when missing:
     * the image's directory is the confining one (for images named directly, not from the config).
     */
    public static RawFileBackend open(final Path path, final long sizeBytes, final boolean readOnly) throws IOException
    {
        final Path absolute = path.toAbsolutePath();
        Files.createDirectories(absolute.getParent());
        final ConfinedDirectory own = new ConfinedDirectory("disk image", List.of(absolute.getParent().toString()));
        return open(own, own.roots().getFirst().resolve(absolute.getFileName()), sizeBytes, readOnly);
    }

    /**
     * Opens an image {@code images} resolved, creating it sparse with {@code sizeBytes} when missing.
     * An existing image keeps its own size. The file is opened beneath its image directory with no
     * link followed in any component ({@link ConfinedDirectory#open}), a new image exclusively
     * (O_EXCL), so nothing planted in the directory can redirect the daemon's reads and writes.
     */
    public static RawFileBackend open(final ConfinedDirectory images, final Path path, final long sizeBytes,
        final boolean readOnly) throws IOException
    {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS))
        {
            images.createParents(path);
            final int created = images.open(path, FileIo.O_RDWR | FileIo.O_CREAT | FileIo.O_EXCL, IMAGE_MODE);
            // ftruncate(2) to the size: the new file is one hole, taking no blocks.
            final int truncated = FileIo.truncate(created, sizeBytes);
            FileIo.close(created);
            if (truncated < 0)
            {
                throw new IOException("cannot size " + path + ": " + Errno.describe(-truncated));
            }
        }
        final int fd = images.open(path, readOnly ? FileIo.O_RDONLY : FileIo.O_RDWR, 0);
        final FileChannel channel;
        try
        {
            // The magic link names the inode fd holds, not a path: the channel (flush, mapping) is the same file.
            final Path opened = Path.of("/proc/self/fd/" + fd);
            channel = readOnly ?
                FileChannel.open(opened, StandardOpenOption.READ) :
                FileChannel.open(opened, StandardOpenOption.READ, StandardOpenOption.WRITE);
        }
        catch (final IOException ex)
        {
            FileIo.close(fd);
            throw new IOException("cannot reopen " + path + " through /proc/self/fd: " + ex.getMessage(), ex);
        }
        return new RawFileBackend(path, channel, fd, channel.size(), readOnly);
    }

    public Path path()
    {
        return path;
    }

    @Override
    public long sizeBytes()
    {
        return sizeBytes;
    }

    /**
     * Sets the image's length with ftruncate(2): growing adds a hole at the end (no blocks taken),
     * shrinking drops everything past the new end.
     */
    public void resize(final long newSizeBytes) throws IOException
    {
        if (readOnly)
        {
            throw new IOException(path + " is open read-only");
        }
        final int result = FileIo.truncate(fd, newSizeBytes);
        if (result < 0)
        {
            throw new IOException("cannot resize " + path + ": " + Errno.describe(-result));
        }
        sizeBytes = newSizeBytes;
    }

    @Override
    public void read(final long offset, final ByteBuffer dst) throws IOException
    {
        long position = offset;
        while (dst.hasRemaining())
        {
            final int n = channel.read(dst, position);
            if (n < 0)
            {
                while (dst.hasRemaining())
                {
                    dst.put((byte)0);
                }
                return;
            }
            position += n;
        }
    }

    @Override
    public void write(final long offset, final ByteBuffer src) throws IOException
    {
        long position = offset;
        while (src.hasRemaining())
        {
            position += channel.write(src, position);
        }
    }

    /** pread(2) into the caller's memory: no ByteBuffer and none of FileChannel's per-call bookkeeping. */
    @Override
    public void read(final long offset, final long address, final int length) throws IOException
    {
        long done = 0;
        while (done < length)
        {
            final long n = FileIo.pread(fd, address + done, length - done, offset + done);
            if (n < 0)
            {
                throw new SystemCallException("pread", path.toString(), (int)-n);
            }
            if (0 == n)
            {
                zero(address + done, length - done);
                return;
            }
            done += n;
        }
    }

    @Override
    public boolean hasResidentViews()
    {
        return true;
    }

    @Override
    public MemorySegment residentView(final long offset, final int length) throws IOException
    {
        return mapping.view(offset, length);
    }

    @Override
    public void write(final long offset, final long address, final int length) throws IOException
    {
        long done = 0;
        while (done < length)
        {
            final long n = FileIo.pwrite(fd, address + done, length - done, offset + done);
            if (n < 0)
            {
                throw new SystemCallException("pwrite", path.toString(), (int)-n);
            }
            done += n;
        }
    }

    @Override
    public boolean writesFromPipes()
    {
        return true;
    }

    @Override
    public void writeFromPipe(final long offset, final int pipeFd, final int length) throws IOException
    {
        long done = 0;
        while (done < length)
        {
            final long n = Pipes.splice(pipeFd, fd, offset + done, length - done, Pipes.SPLICE_F_MOVE);
            if (n == -Errno.EINTR)
            {
                continue;
            }
            if (0 == n)
            {
                throw new IOException("splice into " + path + ": the pipe held fewer bytes than announced");
            }
            if (n < 0)
            {
                throw new SystemCallException("splice", path.toString(), (int)-n);
            }
            done += n;
        }
    }

    /** Bytes past the end of the image read as zero (the image shrank underneath). */
    @SuppressWarnings("restricted") // native access is enabled for the whole application in bin/jvm.options
    private static void zero(final long address, final long length)
    {
        MemorySegment.ofAddress(address).reinterpret(length).fill((byte)0);
    }

    /** One pwritev for up to IOV_MAX pieces; direct buffers only (received data always is). */
    @Override
    public void write(final long offset, final ByteBuffer[] srcs) throws IOException
    {
        for (final ByteBuffer src : srcs)
        {
            if (!src.isDirect())
            {
                StorageBackend.super.write(offset, srcs);
                return;
            }
        }
        final MemorySegment iovecs = FileIo.iovecs();
        long position = offset;
        int first = 0;
        while (first < srcs.length)
        {
            if (!srcs[first].hasRemaining())
            {
                first++;
                continue;
            }
            final int count = Math.min(Iovec.IOV_MAX, srcs.length - first);
            for (int i = 0; i < count; i++)
            {
                final ByteBuffer src = srcs[first + i];
                iovecs.set(ValueLayout.JAVA_LONG, i * Iovec.SIZE, MemorySegment.ofBuffer(src).address());
                iovecs.set(ValueLayout.JAVA_LONG, i * Iovec.SIZE + 8, src.remaining());
            }
            final long written = FileIo.pwritev(fd, iovecs, count, position);
            if (written < 0)
            {
                throw new SystemCallException("pwritev", path.toString(), (int)-written);
            }
            position += written;
            long left = written;
            while (left > 0)
            {
                final ByteBuffer src = srcs[first];
                final int n = (int)Math.min(left, src.remaining());
                src.position(src.position() + n);
                left -= n;
                if (!src.hasRemaining())
                {
                    first++;
                }
            }
        }
    }

    @Override
    public void flush() throws IOException
    {
        // fdatasync: enough for the data and the metadata needed to read it back.
        channel.force(false);
    }

    @Override
    public void trim(final long offset, final long length)
    {
        // TRIM is advisory (NBD proto.md: NBD_CMD_TRIM); a file system without hole punching ignores it.
        if (!readOnly)
        {
            holeGeneration.incrementAndGet();
            FileIo.fallocate(fd, FileIo.FALLOC_FL_PUNCH_HOLE | FileIo.FALLOC_FL_KEEP_SIZE, offset, length);
        }
    }

    @Override
    public int writeZeroes(final long offset, final long length, final boolean mayPunch, final boolean fastOnly)
        throws IOException
    {
        holeGeneration.incrementAndGet();
        if (mayPunch &&
            0 == FileIo.fallocate(fd, FileIo.FALLOC_FL_PUNCH_HOLE | FileIo.FALLOC_FL_KEEP_SIZE, offset, length))
        {
            return ZEROED;
        }
        if (zeroRangeSupported)
        {
            final int result = FileIo.fallocate(
                fd, FileIo.FALLOC_FL_ZERO_RANGE | FileIo.FALLOC_FL_KEEP_SIZE, offset, length);
            if (0 == result)
            {
                return ZEROED;
            }
            if (-result == Errno.EOPNOTSUPP)
            {
                zeroRangeSupported = false;
            }
        }
        if (fastOnly)
        {
            return NOT_FAST;
        }
        long position = offset;
        final long end = offset + length;
        while (position < end)
        {
            final int n = (int)Math.min(ZERO_CHUNK_BYTES, end - position);
            write(position, ZEROS_ADDRESS, n);
            position += n;
        }
        return ZEROED;
    }

    @Override
    public long holeGeneration()
    {
        return holeGeneration.get();
    }

    @Override
    public long nextData(final long offset) throws IOException
    {
        return seek(offset, FileIo.SEEK_DATA);
    }

    @Override
    public long nextHole(final long offset) throws IOException
    {
        return seek(offset, FileIo.SEEK_HOLE);
    }

    private long seek(final long offset, final int whence) throws IOException
    {
        final long result = FileIo.lseek(fd, offset, whence);
        if (result >= 0)
        {
            return Math.min(result, sizeBytes);
        }
        if (-result == Errno.ENXIO)
        {
            // SEEK_DATA past the last data, or offset at or past the end: the rest is a hole.
            return whence == FileIo.SEEK_DATA ? sizeBytes : offset;
        }
        if (-result == Errno.EOPNOTSUPP || -result == Errno.EINVAL)
        {
            // No hole support: everything is data.
            return whence == FileIo.SEEK_DATA ? offset : sizeBytes;
        }
        throw new IOException("lseek on " + path + " failed: errno " + -result);
    }

    @Override
    public void close()
    {
        FileIo.close(fd);
        try
        {
            channel.close();
        }
        catch (final IOException ignore)
        {
            // Closing after the last request; nothing left to save.
        }
    }
}
