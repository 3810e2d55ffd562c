package io.vplane.nic.vswitch;

import java.lang.foreign.MemorySegment;

/**
 * Up to {@link #capacity()} frames a port received, as (address, length) in memory the switch may
 * rewrite in place: a guest's buffer when the port has one, else the port's own buffer. The port
 * also keeps a token per frame (a descriptor head, a pool slot) to give the buffer back in
 * {@link SwitchPort#release}. Preallocated once per stage and reused for every burst.
 */
public final class FrameBurst
{
    private final long[] addresses;
    private final int[] lengths;
    private final int[] capacities;
    private final long[] tokens;
    private int count;

    public FrameBurst(final int capacity)
    {
        addresses = new long[capacity];
        lengths = new int[capacity];
        capacities = new int[capacity];
        tokens = new long[capacity];
    }

    public int capacity()
    {
        return addresses.length;
    }

    public int count()
    {
        return count;
    }

    public boolean isFull()
    {
        return count == addresses.length;
    }

    public void clear()
    {
        count = 0;
    }

    /**
     * Adds a received frame.
     *
     * @param address     native address of the first byte of the frame
     * @param length      bytes of the frame
     * @param bufferBytes bytes writable from {@code address} (at least {@code length})
     * @param token       the port's own reference to the buffer
     * @return false when the burst is full
     */
    public boolean add(final long address, final int length, final int bufferBytes, final long token)
    {
        if (count == addresses.length)
        {
            return false;
        }
        addresses[count] = address;
        lengths[count] = length;
        capacities[count] = Math.max(length, bufferBytes);
        tokens[count] = token;
        count++;
        return true;
    }

    /**
     * Adds a received frame that lies in a native memory region (a guest memory region, a mapped
     * file, an arena), checking it lies wholly inside the region. Allocates nothing.
     *
     * @param region      native segment holding the frame
     * @param offset      offset of the frame in the region
     * @param length      bytes of the frame
     * @param bufferBytes bytes writable from {@code offset} (at least {@code length})
     * @param token       the port's own reference to the buffer
     * @return false when the burst is full
     */
    public boolean add(
        final MemorySegment region, final long offset, final int length, final int bufferBytes, final long token)
    {
        if (!region.isNative())
        {
            throw new IllegalArgumentException("frames must be in native memory");
        }
        final int writable = Math.max(length, bufferBytes);
        if (offset < 0 || length < 0 || offset > region.byteSize() - writable)
        {
            throw new IndexOutOfBoundsException("frame [" + offset + ", +" + writable + ") outside a region of " +
                region.byteSize() + " bytes");
        }
        return add(region.address() + offset, length, writable, token);
    }

    public long address(final int index)
    {
        return addresses[index];
    }

    public int length(final int index)
    {
        return lengths[index];
    }

    /** The switch shortens a frame it turned into a reply (proxy ND); it never makes one longer. */
    void length(final int index, final int length)
    {
        lengths[index] = length;
    }

    public int bufferBytes(final int index)
    {
        return capacities[index];
    }

    public long token(final int index)
    {
        return tokens[index];
    }
}
