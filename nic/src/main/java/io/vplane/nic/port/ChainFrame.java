package io.vplane.nic.port;

import io.vplane.virtio.virtq.DescriptorChain;

import java.lang.foreign.MemorySegment;

/** A frame the guest transmitted, read from its descriptor chain past the virtio-net header. */
final class ChainFrame implements FrameSource
{
    private DescriptorChain chain;
    private int length;

    ChainFrame wrap(final DescriptorChain chain)
    {
        this.chain = chain;
        this.length = (int)Math.max(0, chain.totalLength() - VirtioNet.HEADER_SIZE);
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
