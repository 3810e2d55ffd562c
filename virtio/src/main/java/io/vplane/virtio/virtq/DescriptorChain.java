package io.vplane.virtio.virtq;

import io.vplane.virtio.memory.GuestMemory;

import java.lang.foreign.MemorySegment;

/**
 * The buffers of one descriptor chain, already translated and bounds-checked: each is a range of
 * one guest memory region. Preallocated per queue (capacity = queue size) and reused per chain.
 */
public final class DescriptorChain
{
    private final int[] region;
    private final long[] offset;
    private final int[] length;
    private final boolean[] writable;
    private int count;
    private long totalLength;
    private GuestMemory memory;

    public DescriptorChain(final int capacity)
    {
        this.region = new int[capacity];
        this.offset = new long[capacity];
        this.length = new int[capacity];
        this.writable = new boolean[capacity];
    }

    void reset(final GuestMemory memory)
    {
        this.memory = memory;
        count = 0;
        totalLength = 0;
    }

    /** @return false when the chain already has {@link #capacity()} buffers */
    boolean add(final int regionIndex, final long regionOffset, final int len, final boolean isWritable)
    {
        if (count == region.length)
        {
            return false;
        }
        region[count] = regionIndex;
        offset[count] = regionOffset;
        length[count] = len;
        writable[count] = isWritable;
        count++;
        totalLength += len & 0xFFFF_FFFFL;
        return true;
    }

    public int capacity()
    {
        return region.length;
    }

    public int count()
    {
        return count;
    }

    public long totalLength()
    {
        return totalLength;
    }

    /** The region segment buffer {@code i} lies in. */
    public MemorySegment segment(final int i)
    {
        return memory.segment(region[i]);
    }

    /** Offset of buffer {@code i} in {@link #segment(int)}. */
    public long offset(final int i)
    {
        return offset[i];
    }

    public int length(final int i)
    {
        return length[i];
    }

    public boolean writable(final int i)
    {
        return writable[i];
    }
}
