package io.vplane.vsock.device;

import io.vplane.engine.linux.Errno;
import io.vplane.engine.linux.FileIo;
import io.vplane.virtio.virtq.DescriptorChain;

import java.lang.foreign.MemorySegment;

/**
 * Moves bytes between the buffers of a walked (bounds-checked) descriptor chain, taken as one
 * byte range, and a scratch segment or a socket. Socket reads and writes go straight to guest
 * memory by address: no copy through a host buffer, no view per call. Not thread-safe: one per
 * queue, reusing its cursor.
 */
final class ChainIo
{
    private final ChainCursor cursor = new ChainCursor();

    /** EAGAIN (non-blocking socket full or empty) and EINTR mean "nothing now", not a failure. */
    static boolean wouldBlock(final long rc)
    {
        return rc == -Errno.EAGAIN || rc == -Errno.EINTR;
    }

    /** The pieces of chain bytes [{@code from}, {@code from + n}), for a caller's own loop. */
    ChainCursor pieces(final DescriptorChain chain, final long from, final long n)
    {
        return cursor.start(chain, from, n);
    }

    /** Copies chain bytes [{@code from}, {@code from + n}) into {@code dst}; @return bytes copied */
    long gather(final DescriptorChain chain, final long from, final MemorySegment dst, final long n)
    {
        for (cursor.start(chain, from, n); cursor.next(); )
        {
            MemorySegment.copy(cursor.segment(), cursor.offset(), dst, cursor.done(), cursor.length());
            cursor.advance(cursor.length());
        }
        return cursor.done();
    }

    /** Copies {@code n} bytes of {@code src} into the chain from byte {@code to}; @return bytes copied */
    long scatter(final MemorySegment src, final long n, final DescriptorChain chain, final long to)
    {
        for (cursor.start(chain, to, n); cursor.next(); )
        {
            MemorySegment.copy(src, cursor.done(), cursor.segment(), cursor.offset(), cursor.length());
            cursor.advance(cursor.length());
        }
        return cursor.done();
    }

    /**
     * Writes chain bytes [{@code from}, {@code from + n}) to {@code fd} until it would block.
     *
     * @return bytes written (maybe fewer than {@code n}), or {@code -errno} when nothing was written
     *         for a reason other than EAGAIN
     */
    long writeTo(final int fd, final DescriptorChain chain, final long from, final long n)
    {
        for (cursor.start(chain, from, n); cursor.next(); )
        {
            final long rc = FileIo.write(fd, cursor.address(), cursor.length());
            if (rc < 0)
            {
                return cursor.done() > 0 || wouldBlock(rc) ? cursor.done() : rc;
            }
            cursor.advance(rc);
            if (rc < cursor.length())
            {
                break;
            }
        }
        return cursor.done();
    }

    /**
     * Reads from {@code fd} into the chain from byte {@code from}, at most {@code max} bytes, until
     * it would block.
     *
     * @return bytes read; 0 with {@code eof[0]} set at end of stream; {@code -errno} on an error
     *         before any byte (EAGAIN gives 0)
     */
    long readFrom(final int fd, final DescriptorChain chain, final long from, final long max, final boolean[] eof)
    {
        eof[0] = false;
        for (cursor.start(chain, from, max); cursor.next(); )
        {
            final long rc = FileIo.read(fd, cursor.address(), cursor.length());
            if (rc == 0)
            {
                eof[0] = cursor.done() == 0;
                break;
            }
            if (rc < 0)
            {
                return cursor.done() > 0 || wouldBlock(rc) ? cursor.done() : rc;
            }
            cursor.advance(rc);
            if (rc < cursor.length())
            {
                break;
            }
        }
        return cursor.done();
    }
}
