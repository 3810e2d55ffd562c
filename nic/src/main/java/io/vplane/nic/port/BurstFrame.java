package io.vplane.nic.port;

import io.vplane.nic.vswitch.FrameBurst;

import java.lang.foreign.MemorySegment;

/**
 * A frame of a switch burst as the source of a copy into guest receive buffers, read as the
 * switch forwards it ({@link FrameBurst#copyTo}): its start from the switch's own copy when the
 * sending guest could still rewrite its buffer, the rest from where it was received (another
 * guest's mapped region, checked when the frame entered the burst, or a port's own buffer).
 */
final class BurstFrame implements FrameSource
{
    private FrameBurst burst;
    private int index;
    private int length;

    BurstFrame wrap(final FrameBurst burst, final int index)
    {
        this.burst = burst;
        this.index = index;
        this.length = burst.length(index);
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
        burst.copyTo(index, from, dst, dstOffset, count);
    }
}
