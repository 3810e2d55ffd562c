package io.vplane.nic.port;

import io.vplane.engine.linux.Iovec;
import io.vplane.nic.vswitch.FrameBurst;
import io.vplane.virtio.memory.GuestMemory;
import io.vplane.virtio.virtq.DescriptorChain;
import io.vplane.virtio.virtq.SplitVirtQueue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Buffer-control entries: receive buffers of one VM port's guest, taken from its receive ring and
 * lent to the uplink queue that serves the VM, so the kernel writes a received frame (virtio-net
 * header included) straight into guest memory. Each entry holds a descriptor head and the
 * buffer's iovecs over the daemon's mapping of guest memory; the uplink reads into an entry, puts
 * the frame in its burst with the entry as token, and the VM port, when the switch hands it that
 * frame, only publishes the used element ({@link #publish}). An entry whose frame went elsewhere
 * (dropped, or switched to another port) goes back to the pool and is read into again: its head
 * stays taken, which a split ring without IN_ORDER allows (virtio 1.2 §2.7.8).
 *
 * <p>Heads belong to the ring they were taken from: when the port's ring changes (reconnect,
 * remap) the pool forgets them, and the new ring, resumed from the used index in guest memory,
 * offers those buffers again. Used only on the switch's thread; allocates nothing after construction.
 */
public final class GuestRxPool
{
    /** Descriptors of one receive chain the pool uses; a longer chain is used up to here. */
    public static final int MAX_SEGMENTS = 4;
    /** Marks a burst token that is no entry of this pool (a frame in the uplink's own memory). */
    public static final long NOT_LENT = 1L << 40;

    static final int ERR_NOT_WRITABLE = GuestRxWriter.ERR_NOT_WRITABLE;
    static final int ERR_HEADER_SPLIT = GuestRxWriter.ERR_HEADER_SPLIT;

    private static final byte EMPTY = 0;
    private static final byte READY = 1;
    private static final byte IN_BURST = 2;
    private static final long ENTRY_IOVEC_BYTES = (long)MAX_SEGMENTS * Iovec.SIZE;
    /** All of the address space, so guest buffers are written by address with no segment per frame. */
    private static final MemorySegment ADDRESS_SPACE = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);

    private final int capacity;
    private final MemorySegment iovecs;
    private final int[] heads;
    private final int[] segments;
    private final long[] headers;
    private final long[] frames;
    private final int[] frameRooms;
    private final int[] rooms;
    private final byte[] states;
    private final int[] ready;
    private int readyCount;
    private final int[] empty;
    private int emptyCount;
    private SplitVirtQueue ring;
    /** Counts ring changes: heads held outside the pool (an AF_XDP fill ring) are stale once it moves. */
    private long ringGeneration;
    private FrameBurst lentBurst;
    private int published;

    /**
     * @param capacity entries, at least the switch's burst size
     */
    public GuestRxPool(final int capacity)
    {
        this.capacity = capacity;
        this.iovecs = Arena.ofAuto().allocate(capacity * ENTRY_IOVEC_BYTES, 8);
        this.heads = new int[capacity];
        this.segments = new int[capacity];
        this.headers = new long[capacity];
        this.frames = new long[capacity];
        this.frameRooms = new int[capacity];
        this.rooms = new int[capacity];
        this.states = new byte[capacity];
        this.ready = new int[capacity];
        this.empty = new int[capacity];
        forgetAll();
    }

    public int capacity()
    {
        return capacity;
    }

    /** Entries holding a guest buffer, ready to be read into. */
    public int readyCount()
    {
        return readyCount;
    }

    /** Heads held by the pool (ready or in a burst): taken from the ring, not yet used. */
    public int held()
    {
        return capacity - emptyCount;
    }

    private void forgetAll()
    {
        readyCount = 0;
        emptyCount = capacity;
        for (int i = 0; i < capacity; i++)
        {
            states[i] = EMPTY;
            empty[i] = capacity - 1 - i;
        }
    }

    /** The VM port's ring now; a different one than the heads came from makes the pool forget them. */
    void bind(final SplitVirtQueue current)
    {
        if (current != ring)
        {
            forgetAll();
            ring = current;
            ringGeneration++;
        }
    }

    /** Changes when the pool is bound to another ring: every head it held before belongs to the old one. */
    public long ringGeneration()
    {
        return ringGeneration;
    }

    /** Entries of the ring the heads come from (0 before the first lend). */
    public int ringSize()
    {
        return null == ring ? 0 : ring.size();
    }

    /** The guest memory of the ring the heads come from, or null before the first lend. */
    public GuestMemory ringMemory()
    {
        return null == ring ? null : ring.memory();
    }

    /**
     * Takes heads from the ring until {@code want} entries are ready or {@code pending} heads are
     * taken, checking each chain (walked, bounded, device-writable, header in its first buffer).
     *
     * @return heads taken, or a negative error (the ring is bad; the bad head is dropped)
     */
    int topUp(final SplitVirtQueue queue, final int want, final int pending)
    {
        final DescriptorChain chain = queue.chain();
        int taken = 0;
        while (readyCount < want && emptyCount > 0 && taken < pending)
        {
            final int head = queue.takeHead();
            taken++;
            final int rc = queue.walk(head, chain);
            if (rc < 0)
            {
                return rc;
            }
            final int entry = empty[--emptyCount];
            final int check = fill(entry, head, chain);
            if (check < 0)
            {
                empty[emptyCount++] = entry;
                return check;
            }
            states[entry] = READY;
            ready[readyCount++] = entry;
        }
        return taken;
    }

    private int fill(final int entry, final int head, final DescriptorChain chain)
    {
        final int count = Math.min(chain.count(), MAX_SEGMENTS);
        final long base = entry * ENTRY_IOVEC_BYTES;
        long room = 0;
        for (int i = 0; i < count; i++)
        {
            if (!chain.writable(i))
            {
                return ERR_NOT_WRITABLE;
            }
            final long address = chain.segment(i).address() + chain.offset(i);
            iovecs.set(ValueLayout.JAVA_LONG, base + (long)i * Iovec.SIZE + Iovec.BASE_OFFSET, address);
            iovecs.set(ValueLayout.JAVA_LONG, base + (long)i * Iovec.SIZE + Iovec.LENGTH_OFFSET, chain.length(i));
            room += chain.length(i);
        }
        final int first = chain.length(0);
        if (first < VirtioNet.HEADER_SIZE)
        {
            return ERR_HEADER_SPLIT;
        }
        heads[entry] = head;
        segments[entry] = count;
        headers[entry] = chain.segment(0).address() + chain.offset(0);
        rooms[entry] = (int)Math.min(room, Integer.MAX_VALUE);
        if (first > VirtioNet.HEADER_SIZE || count == 1)
        {
            frames[entry] = headers[entry] + VirtioNet.HEADER_SIZE;
            frameRooms[entry] = first - VirtioNet.HEADER_SIZE;
        }
        else
        {
            frames[entry] = chain.segment(1).address() + chain.offset(1);
            frameRooms[entry] = chain.length(1);
        }
        return 0;
    }

    /** The uplink is about to fill {@code burst} from this pool: the VM port recognises its frames by it. */
    public void lendInto(final FrameBurst burst)
    {
        lentBurst = burst;
        published = 0;
    }

    /** @return a ready entry, now in the burst being filled, or -1 when none is left */
    public int take()
    {
        if (readyCount == 0)
        {
            return -1;
        }
        final int entry = ready[--readyCount];
        states[entry] = IN_BURST;
        return entry;
    }

    /** An entry read into in vain (nothing to read, a bad frame) or whose frame went elsewhere: ready again. */
    public void putBack(final int entry)
    {
        if (states[entry] == IN_BURST)
        {
            states[entry] = READY;
            ready[readyCount++] = entry;
        }
    }

    /** Native address of the entry's iovecs, for readv. */
    public long iovecAddress(final int entry)
    {
        return iovecs.address() + entry * ENTRY_IOVEC_BYTES;
    }

    public int iovecCount(final int entry)
    {
        return segments[entry];
    }

    /** Bytes the whole buffer takes, header included. */
    public int room(final int entry)
    {
        return rooms[entry];
    }

    /** Where the frame starts, behind the 12-byte header. */
    public long frameAddress(final int entry)
    {
        return frames[entry];
    }

    /** Bytes a frame may have and still lie in one piece from {@link #frameAddress}. */
    public int frameRoom(final int entry)
    {
        return frameRooms[entry];
    }

    /** Whether frame {@code index} of {@code burst} lies in a buffer of this pool, where it was received. */
    boolean holds(final FrameBurst burst, final int index)
    {
        if (burst != lentBurst)
        {
            return false;
        }
        final long token = burst.token(index);
        return token >= 0 && token < capacity && states[(int)token] == IN_BURST;
    }

    /**
     * The VM port publishes frame {@code index} where it lies: the switch's rewritten copy of the
     * frame's start goes back over it (the guest may have written the buffer meanwhile; what it
     * gets is what the switch decided on), the header is set for a device without offloads, and
     * the head becomes a used element of {@code queue}, to be published with the port's others.
     */
    void publish(final SplitVirtQueue queue, final FrameBurst burst, final int index)
    {
        final int entry = (int)burst.token(index);
        final int length = burst.length(index);
        final int isolated = burst.isolatedLength(index);
        if (isolated > 0)
        {
            MemorySegment.copy(ADDRESS_SPACE, burst.isolatedAddress(index), ADDRESS_SPACE, frames[entry], isolated);
        }
        // no offloads negotiated: flags, gso and checksum fields zero, num_buffers 1 (§5.1.6.4)
        ADDRESS_SPACE.set(ValueLayout.JAVA_LONG_UNALIGNED, headers[entry], 0L);
        ADDRESS_SPACE.set(ValueLayout.JAVA_INT_UNALIGNED, headers[entry] + 8, 1 << 16);
        queue.addUsed(heads[entry], VirtioNet.HEADER_SIZE + length);
        states[entry] = EMPTY;
        empty[emptyCount++] = entry;
        published++;
    }

    /** Frames of the current burst published in place. */
    public int published()
    {
        return published;
    }

    /** The burst is done: what is still in it goes back to the pool. */
    public void endBurst(final FrameBurst burst)
    {
        for (int i = 0, count = burst.count(); i < count; i++)
        {
            final long token = burst.token(i);
            if (token >= 0 && token < capacity)
            {
                putBack((int)token);
            }
        }
        lentBurst = null;
    }
}
