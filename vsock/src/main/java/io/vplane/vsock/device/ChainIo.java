package io.vplane.vsock.device;

import io.vplane.engine.linux.Errno;
import io.vplane.engine.linux.FileIo;
import io.vplane.virtio.virtq.DescriptorChain;

import java.lang.foreign.MemorySegment;

/**
 * Moves bytes between the buffers of a walked (bounds-checked) descriptor chain, taken as one
 * byte range, and a scratch segment or a socket. Socket reads and writes go straight to guest
 * memory by address: no copy through a host buffer, no view per call.
 */
final class ChainIo
{
    private ChainIo()
    {
    }

    /** EAGAIN (non-blocking socket full or empty) and EINTR mean "nothing now", not a failure. */
    static boolean wouldBlock(final long rc)
    {
        return rc == -Errno.EAGAIN || rc == -Errno.EINTR;
    }

    /** Copies chain bytes [{@code from}, {@code from + n}) into {@code dst}; @return bytes copied */
    static long gather(final DescriptorChain chain, final long from, final MemorySegment dst, final long n)
    {
        long skip = from;
        long done = 0;
        for (int i = 0; i < chain.count() && done < n; i++)
        {
            final long len = chain.length(i) & 0xFFFF_FFFFL;
            if (skip >= len)
            {
                skip -= len;
                continue;
            }
            final long take = Math.min(len - skip, n - done);
            MemorySegment.copy(chain.segment(i), chain.offset(i) + skip, dst, done, take);
            done += take;
            skip = 0;
        }
        return done;
    }

    /** Copies {@code n} bytes of {@code src} into the chain from byte {@code to}; @return bytes copied */
    static long scatter(final MemorySegment src, final long n, final DescriptorChain chain, final long to)
    {
        long skip = to;
        long done = 0;
        for (int i = 0; i < chain.count() && done < n; i++)
        {
            final long len = chain.length(i) & 0xFFFF_FFFFL;
            if (skip >= len)
            {
                skip -= len;
                continue;
            }
            final long take = Math.min(len - skip, n - done);
            MemorySegment.copy(src, done, chain.segment(i), chain.offset(i) + skip, take);
            done += take;
            skip = 0;
        }
        return done;
    }

    /**
     * Writes chain bytes [{@code from}, {@code from + n}) to {@code fd} until it would block.
     *
     * @return bytes written (maybe fewer than {@code n}), or {@code -errno} when nothing was written
     *         for a reason other than EAGAIN
     */
    static long writeTo(final int fd, final DescriptorChain chain, final long from, final long n)
    {
        long skip = from;
        long done = 0;
        for (int i = 0; i < chain.count() && done < n; i++)
        {
            final long len = chain.length(i) & 0xFFFF_FFFFL;
            if (skip >= len)
            {
                skip -= len;
                continue;
            }
            final long want = Math.min(len - skip, n - done);
            final long rc = FileIo.write(fd, chain.segment(i).address() + chain.offset(i) + skip, want);
            if (rc < 0)
            {
                return done > 0 || wouldBlock(rc) ? done : rc;
            }
            done += rc;
            if (rc < want)
            {
                return done;
            }
            skip = 0;
        }
        return done;
    }

    /**
     * Reads from {@code fd} into the chain from byte {@code from}, at most {@code max} bytes, until
     * it would block.
     *
     * @return bytes read; 0 with {@code eof[0]} set at end of stream; {@code -errno} on an error
     *         before any byte (EAGAIN gives 0)
     */
    static long readFrom(final int fd, final DescriptorChain chain, final long from, final long max, final boolean[] eof)
    {
        long skip = from;
        long done = 0;
        eof[0] = false;
        for (int i = 0; i < chain.count() && done < max; i++)
        {
            final long len = chain.length(i) & 0xFFFF_FFFFL;
            if (skip >= len)
            {
                skip -= len;
                continue;
            }
            final long want = Math.min(len - skip, max - done);
            final long rc = FileIo.read(fd, chain.segment(i).address() + chain.offset(i) + skip, want);
            if (rc == 0)
            {
                eof[0] = done == 0;
                return done;
            }
            if (rc < 0)
            {
                return done > 0 || wouldBlock(rc) ? done : rc;
            }
            done += rc;
            if (rc < want)
            {
                return done;
            }
            skip = 0;
        }
        return done;
    }
}
