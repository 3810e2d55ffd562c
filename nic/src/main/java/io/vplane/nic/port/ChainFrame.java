package io.vplane.nic.port;

import io.vplane.virtio.virtq.DescriptorChain;

import java.lang.foreign.MemorySegment;

/** A frame the guest transmitted, read from its descriptor chain past the virtio-net header. */
final class ChainFrame implements FrameSource
{
    private DescriptorChain chain;
    private int length;

    /**
     * Longest frame whose length with the virtio-net header still fits an int. A chain may add up
     * to far more (up to queue size × 4 GiB): its length is kept in a long and such a frame is too
     * big for any receive ring, never a length that wrapped.
     */
    static final int MAX_LENGTH = Integer.MAX_VALUE - VirtioNet.HEADER_SIZE;

    ChainFrame wrap(final DescriptorChain chain)
    {
        this.chain = chain;
        this.length = (int)Math.clamp(chain.totalLength() - VirtioNet.HEADER_SIZE, 0, MAX_LENGTH);
        return this;
    }

    @Override
    public int frameLength()
    {
        return length;
    }

    @Override
    public void copyTo(final int from, final MemorySegment dst, final long dstOffset, final int count)
    {
        long skip = (long)VirtioNet.HEADER_SIZE + from;
        int left = count;
        long at = dstOffset;
        for (int i = 0; i < chain.count() && left > 0; i++)
        {
            final int len = chain.length(i);
            if (skip >= len)
            {
                skip -= len;
                continue;
            }
            final int n = (int)Math.min(left, len - skip);
            MemorySegment.copy(chain.segment(i), chain.offset(i) + skip, dst, at, n);
            skip = 0;
            left -= n;
            at += n;
        }
    }
}
