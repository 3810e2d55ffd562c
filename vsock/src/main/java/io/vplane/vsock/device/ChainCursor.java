package io.vplane.vsock.device;

import io.vplane.virtio.virtq.DescriptorChain;

import java.lang.foreign.MemorySegment;

/**
 * Walks a byte range of a walked descriptor chain piece by piece: each piece is the part of one
 * buffer inside the range. One per user, reused: no allocation per walk.
 * <pre>
 *   for (cursor.start(chain, from, n); cursor.next(); ) { use cursor.segment(), offset(), length() }
 * </pre>
 */
final class ChainCursor
{
    private DescriptorChain chain;
    private int index;
    private long skip;
    private long left;
    private long offset;
    private long length;
    private long done;

    ChainCursor start(final DescriptorChain walked, final long from, final long n)
    {
        chain = walked;
        index = -1;
        skip = from;
        left = n;
        done = 0;
        return this;
    }

    /** @return false when the range (or the chain) ended */
    boolean next()
    {
        while (left > 0 && ++index < chain.count())
        {
            final long len = chain.length(index) & 0xFFFF_FFFFL;
            if (skip >= len)
            {
                skip -= len;
                continue;
            }
            offset = chain.offset(index) + skip;
            length = Math.min(len - skip, left);
            skip = 0;
            left -= length;
            return true;
        }
        return false;
    }

    /** Marks the current piece as handled: {@link #done()} counts it. */
    void advance(final long bytes)
    {
        done += bytes;
    }

    long done()
    {
        return done;
    }

    MemorySegment segment()
    {
        return chain.segment(index);
    }

    /** The piece's offset in {@link #segment()}. */
    long offset()
    {
        return offset;
    }

    /** The piece's native address. */
    long address()
    {
        return chain.segment(index).address() + offset;
    }

    long length()
    {
        return length;
    }
}
