package io.vplane.nic.vswitch;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Up to {@link #capacity()} frames a port received, as (address, length) in memory the switch may
 * rewrite in place: a guest's buffer when the port has one, else the port's own buffer. The start
 * of a frame in guest memory is first isolated in the burst's own memory ({@link #isolate}). The port
 * also keeps a token per frame (a descriptor head, a pool slot) to give the buffer back in
 * {@link SwitchPort#release}. Preallocated once per stage and reused for every burst.
 */
public final class FrameBurst
{
    /**
     * Bytes at the start of a frame in guest memory that the switch copies into its own memory
     * ({@link #isolate}) and then decides on, rewrites and forwards from: every header it reads
     * (Ethernet, VLAN tags, IPv4/IPv6, ARP, an NDP message with its options) lies within them for
     * any frame it accepts.
     */
    public static final int ISOLATED_BYTES = 256;
    /** All of the address space, so a copy from a raw address needs no new segment per frame. */
    private static final MemorySegment ADDRESS_SPACE = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);

    private final long[] addresses;
    private final int[] lengths;
    private final int[] capacities;
    private final long[] tokens;
    private final int[] isolatedLengths;
    private final MemorySegment isolated;
    private final long isolatedBase;
    private int count;

    public FrameBurst(final int capacity)
    {
        addresses = new long[capacity];
        lengths = new int[capacity];
        capacities = new int[capacity];
        tokens = new long[capacity];
        isolatedLengths = new int[capacity];
        isolated = Arena.ofAuto().allocate((long)capacity * ISOLATED_BYTES, 64);
        isolatedBase = isolated.address();
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
        isolatedLengths[count] = 0;
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

    /** Where the frame lies as received (a guest's buffer, which its guest may still rewrite). */
    public long address(final int index)
    {
        return addresses[index];
    }

    /**
     * Copies the start of frame {@code index} (up to {@link #ISOLATED_BYTES}) into the switch's own
     * memory: from then on its guest cannot change what the switch decides on or sends of those
     * bytes (a guest that rewrites its buffer after posting it, vhost-user's shared memory).
     * A frame's bytes are read from the guest once, here.
     */
    void isolate(final int index)
    {
        final int n = Math.min(lengths[index], ISOLATED_BYTES);
        // the frame's range was checked when it entered the burst, the slot is the burst's own
        WordCopy.copy(addresses[index], isolatedBase + (long)index * ISOLATED_BYTES, n);
        isolatedLengths[index] = n;
    }

    /** Bytes at the start of frame {@code index} that are sent from {@link #isolatedAddress}; 0 when none. */
    public int isolatedLength(final int index)
    {
        return isolatedLengths[index];
    }

    /** Native address of the switch's own copy of the start of frame {@code index}. */
    public long isolatedAddress(final int index)
    {
        return isolatedBase + (long)index * ISOLATED_BYTES;
    }

    /**
     * Copies bytes [{@code from}, {@code from + count}) of frame {@code index} as the switch
     * forwards it: its isolated start from the switch's copy, the rest from where it was received.
     * Every port that sends or copies a frame of another port's burst reads it through here.
     */
    public void copyTo(final int index, final int from, final MemorySegment dst, final long dstOffset, final int count)
    {
        java.util.Objects.checkFromIndexSize(from, count, lengths[index]);
        final int head = isolatedLengths[index];
        int done = 0;
        if (from < head)
        {
            done = Math.min(count, head - from);
            WordCopy.copy(isolatedBase + (long)index * ISOLATED_BYTES + from, dst, dstOffset, done);
        }
        if (done < count)
        {
            MemorySegment.copy(ADDRESS_SPACE, addresses[index] + from + done, dst, dstOffset + done, count - done);
        }
    }

    public int length(final int index)
    {
        return lengths[index];
    }

    /** The switch shortens a frame it turned into a reply (proxy ND); it never makes one longer. */
    void length(final int index, final int length)
    {
        lengths[index] = length;
        if (isolatedLengths[index] > length)
        {
            isolatedLengths[index] = length;
        }
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
