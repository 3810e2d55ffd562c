package io.vplane.nic.port;

import java.lang.foreign.MemorySegment;

/**
 * A frame of a switch burst, by native address, as the source of a copy into guest receive
 * buffers. The address lies in memory the switch holds for the burst (another guest's mapped
 * region, checked when the frame entered the burst, or a port's own buffer).
 */
final class BurstFrame implements FrameSource
{
    /** All of the address space, so a copy from a raw address needs no new segment per frame. */
    private static final MemorySegment ADDRESS_SPACE = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);

    private long address;
    private int length;

    BurstFrame wrap(final long address, final int length)
    {
        this.address = address;
        this.length = length;
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
        MemorySegment.copy(ADDRESS_SPACE, address + from, dst, dstOffset, count);
    }
}
