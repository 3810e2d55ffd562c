package io.vplane.virtio.virtq;

import io.vplane.virtio.memory.GuestMemory;
import io.vplane.engine.linux.Errno;
import io.vplane.engine.linux.EventFd;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

import static io.vplane.virtio.virtq.SplitRing.*;

/**
 * The device side of one running split virtqueue over guest memory (virtio 1.2 §2.7). Used by
 * one thread at a time (the worker that polls the queue). Hostile-driver safe: every index,
 * address, length and chain is checked; a bad ring yields an error code, never an exception.
 * <p>
 * Ordering (§2.7.13): the avail index is read with acquire before the entries it covers; used
 * entries are written plainly and published by one release store of the used index per burst;
 * a full fence separates that store from reading the driver's NO_INTERRUPT flag or used_event.
 * <p>
 * With VIRTIO_F_EVENT_IDX (§2.7.7.2, §2.7.10.2) calls follow the driver's used_event and kicks are
 * steered by avail_event instead of the ring flags.
 */
public final class SplitVirtQueue
{
    public static final int OK = 0;
    public static final int ERR_HEAD_OUT_OF_RANGE = -1;
    public static final int ERR_NEXT_OUT_OF_RANGE = -2;
    public static final int ERR_CHAIN_TOO_LONG = -3;
    public static final int ERR_ADDRESS = -4;
    public static final int ERR_INDIRECT = -5;
    public static final int ERR_AVAIL_INDEX = -6;

    /** Aligned handles: only these support getAcquire / setRelease on a segment. */
    private static final VarHandle U16 = ValueLayout.JAVA_SHORT.varHandle();
    private static final ValueLayout.OfShort U16_PLAIN = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final ValueLayout.OfLong U64_PLAIN = ValueLayout.JAVA_LONG_UNALIGNED;
    /** avail_event is written this far behind at most, so it never comes to lie ahead of the driver. */
    private static final int AVAIL_EVENT_REFRESH = 0x4000;

    private final GuestMemory memory;
    private final MemorySegment desc;
    private final MemorySegment avail;
    private final MemorySegment used;
    private final int size;
    private final int mask;
    private final int callFd;
    private final boolean eventIdx;
    private final long usedEventOffset;
    private final long availEventOffset;
    private final DescriptorChain chain;
    private int lastAvail;
    private int usedIdx;
    /** Used index at the last call decision (EVENT_IDX "old"); invalid until the first decision. */
    private int signalledUsed;
    private boolean signalledUsedValid;
    /** True while kicks are suppressed: avail_event is kept behind lastAvail. */
    private boolean kicksSuppressed;
    private int availEventWritten;
    /** Region of the last descriptor: most chains of a burst lie in the same one. */
    private int lastRegion;

    private SplitVirtQueue(
        final GuestMemory memory,
        final MemorySegment desc,
        final MemorySegment avail,
        final MemorySegment used,
        final int size,
        final int base,
        final int callFd,
        final boolean eventIdx)
    {
        this.memory = memory;
        this.desc = desc;
        this.avail = avail;
        this.used = used;
        this.size = size;
        this.mask = size - 1;
        this.callFd = callFd;
        this.eventIdx = eventIdx;
        this.usedEventOffset = AVAIL_RING_OFFSET + 2L * size;
        this.availEventOffset = USED_RING_OFFSET + (long)USED_ELEM_SIZE * size;
        this.chain = new DescriptorChain(size);
        this.lastAvail = base & 0xFFFF;
        this.usedIdx = base & 0xFFFF;
    }

    /**
     * Places a queue on its rings. The three addresses are frontend-virtual (vhost-user.rst
     * SET_VRING_ADDR), each must lie wholly in one region and be aligned as §2.7 requires.
     *
     * @param base   next avail index to read (SET_VRING_BASE); the used index continues from it. When
     *               the used index in guest memory differs, both resume from that instead
     * @param callFd eventfd to signal used buffers, or -1
     * @param eventIdx true when the driver negotiated VIRTIO_F_EVENT_IDX (bit 29)
     * @throws VirtQueueException naming the problem
     */
    public static SplitVirtQueue create(
        final GuestMemory memory,
        final int size,
        final long descAddr,
        final long availAddr,
        final long usedAddr,
        final int base,
        final int callFd,
        final boolean eventIdx)
    {
        if (size <= 0 || size > MAX_SIZE || (size & (size - 1)) != 0)
        {
            throw new VirtQueueException("queue size " + size + " is not a power of two in 1.." + MAX_SIZE);
        }
        final MemorySegment desc = ring(memory, "descriptor table", descAddr, descTableBytes(size), DESC_ALIGN);
        final MemorySegment avail = ring(memory, "avail ring", availAddr, availBytes(size), AVAIL_ALIGN);
        final MemorySegment used = ring(memory, "used ring", usedAddr, usedBytes(size), USED_ALIGN);
        // A frontend that reconnects (DPDK virtio-user sends base 0) resumes where the used ring
        // says, as DPDK's own backend does: what was returned to the driver is never taken again.
        final int usedInMemory = (short)U16.getAcquire(used, (long)USED_IDX_OFFSET) & 0xFFFF;
        return new SplitVirtQueue(memory, desc, avail, used, size, usedInMemory != (base & 0xFFFF) ? usedInMemory : base, callFd, eventIdx);
    }

    private static MemorySegment ring(
        final GuestMemory memory, final String what, final long address, final long length, final int align)
    {
        final MemorySegment slice = memory.userSlice(address, length);
        if (null == slice)
        {
            throw new VirtQueueException(what + " at 0x" + Long.toHexString(address) + " (+" + length +
                " bytes) is outside every memory region");
        }
        if ((address & (align - 1)) != 0 || (slice.address() & (align - 1)) != 0)
        {
            throw new VirtQueueException(what + " at 0x" + Long.toHexString(address) + " is not " + align + "-byte aligned");
        }
        return slice;
    }

    public int size()
    {
        return size;
    }

    /** Scratch chain for {@link #walk}, sized to the queue (no chain may be longer, §2.7.5.3.1). */
    public DescriptorChain chain()
    {
        return chain;
    }

    public GuestMemory memory()
    {
        return memory;
    }

    /** Next avail index to read: what GET_VRING_BASE reports. */
    public int lastAvailIndex()
    {
        return lastAvail;
    }

    public int usedIndex()
    {
        return usedIdx;
    }

    public boolean eventIdx()
    {
        return eventIdx;
    }

    /**
     * Heads the driver made available and this queue has not taken yet.
     *
     * @return 0..size, or {@link #ERR_AVAIL_INDEX} when the driver's index ran more than a ring ahead
     */
    public int available()
    {
        final int availIdx = (short)U16.getAcquire(avail, (long)AVAIL_IDX_OFFSET) & 0xFFFF;
        final int pending = (availIdx - lastAvail) & 0xFFFF;
        if (kicksSuppressed && ((lastAvail - availEventWritten) & 0xFFFF) >= AVAIL_EVENT_REFRESH)
        {
            writeAvailEvent(lastAvail - 1);
        }
        return pending > size ? ERR_AVAIL_INDEX : pending;
    }

    /**
     * From any thread, without side effects: heads the driver made available that the polling
     * thread has not taken yet, as far as this thread sees (approximate while it polls).
     */
    public int untaken()
    {
        final int availIdx = (short)U16.getAcquire(avail, (long)AVAIL_IDX_OFFSET) & 0xFFFF;
        return (availIdx - lastAvail) & 0xFFFF;
    }

    /** The head of the next available chain; call only after {@link #available()} covered it. */
    public int takeHead()
    {
        final int head = avail.get(U16_PLAIN, AVAIL_RING_OFFSET + 2L * (lastAvail & mask)) & 0xFFFF;
        lastAvail = (lastAvail + 1) & 0xFFFF;
        return head;
    }

    /** Gives the last taken head back (not enough buffers yet); it is taken again next time. */
    public void untakeHeads(final int count)
    {
        lastAvail = (lastAvail - count) & 0xFFFF;
    }

    /**
     * Walks the chain starting at {@code head} into {@code chain}: follows NEXT, descends once into
     * an indirect table (§2.7.5.3.1: no nesting, no NEXT beside INDIRECT), translates and checks
     * every buffer. A loop is caught by the length bound (queue size, or the indirect table's).
     *
     * @return {@link #OK} or a negative error code
     */
    public int walk(final int head, final DescriptorChain chain)
    {
        chain.reset(memory);
        if (head >= size)
        {
            return ERR_HEAD_OUT_OF_RANGE;
        }
        MemorySegment table = desc;
        long tableBase = 0;
        int tableSize = size;
        int limit = size;
        boolean indirect = false;
        int index = head;
        int walked = 0;
        while (true)
        {
            if (walked++ >= limit)
            {
                return ERR_CHAIN_TOO_LONG;
            }
            // two 8-byte loads per descriptor: addr, then len | flags << 32 | next << 48 (little-endian)
            final long entry = tableBase + (long)index * DESC_SIZE;
            final long addr = table.get(U64_PLAIN, entry + DESC_ADDR_OFFSET);
            final long word = table.get(U64_PLAIN, entry + DESC_LEN_OFFSET);
            final int len = (int)word;
            final int flags = (int)(word >>> 32) & 0xFFFF;
            final int next = (int)(word >>> 48);
            if ((flags & DESC_F_INDIRECT) != 0)
            {
                if (indirect || (flags & DESC_F_NEXT) != 0 || len <= 0 || len % DESC_SIZE != 0)
                {
                    return ERR_INDIRECT;
                }
                final int region = memory.findGuest(addr, len);
                if (region < 0)
                {
                    return ERR_ADDRESS;
                }
                table = memory.segment(region);
                tableBase = memory.guestOffset(region, addr);
                tableSize = len / DESC_SIZE;
                limit = tableSize;
                indirect = true;
                index = 0;
                walked = 0;
                continue;
            }
            if (len < 0)
            {
                return ERR_ADDRESS;
            }
            int region = lastRegion;
            if (!memory.holdsGuest(region, addr, len))
            {
                region = memory.findGuest(addr, len);
                if (region < 0)
                {
                    return ERR_ADDRESS;
                }
                lastRegion = region;
            }
            if (!chain.add(region, memory.guestOffset(region, addr), len, (flags & DESC_F_WRITE) != 0))
            {
                return ERR_CHAIN_TOO_LONG;
            }
            if ((flags & DESC_F_NEXT) == 0)
            {
                return OK;
            }
            if (next >= tableSize)
            {
                return ERR_NEXT_OUT_OF_RANGE;
            }
            index = next;
        }
    }

    /** Writes a used element; not visible to the driver before {@link #publishUsed()}. */
    public void addUsed(final int id, final int len)
    {
        // one 8-byte store: id at +0, len at +4 (little-endian); the element is 4-byte aligned only
        final long element = USED_RING_OFFSET + (long)USED_ELEM_SIZE * (usedIdx & mask);
        used.set(U64_PLAIN, element + USED_ELEM_ID_OFFSET, (id & 0xFFFF_FFFFL) | (long)len << 32);
        usedIdx = (usedIdx + 1) & 0xFFFF;
    }

    /** One release store makes every used element written since the last publish visible. */
    public void publishUsed()
    {
        U16.setRelease(used, (long)USED_IDX_OFFSET, (short)usedIdx);
    }

    /**
     * Signals the call eventfd unless the driver set NO_INTERRUPT (§2.7.10). Call once per burst,
     * after {@link #publishUsed()}.
     *
     * @return true if the driver was signalled
     */
    public boolean notifyIfWanted()
    {
        if (callFd < 0 || !callWanted())
        {
            return false;
        }
        final long rc = EventFd.signal(callFd);
        // the call fd is non-blocking (vhost-user session): EAGAIN means the counter is full, so the
        // guest is signalled already; any other failure breaks this ring only (the caller's catch)
        if (rc < 0 && rc != -Errno.EAGAIN)
        {
            throw new VirtQueueException("call fd " + callFd + " cannot be signalled: " + Errno.describe((int)-rc));
        }
        return true;
    }

    /**
     * Whether the driver wants a call for what was published since the last decision: without
     * EVENT_IDX unless it set NO_INTERRUPT (§2.7.7.1); with it when the used index has passed
     * used_event since the last decision (§2.7.7.2), and always the first time.
     */
    boolean callWanted()
    {
        // the used index store must be visible before we read the driver's flag or event (store-load)
        VarHandle.fullFence();
        if (!eventIdx)
        {
            return (avail.get(U16_PLAIN, AVAIL_FLAGS_OFFSET) & AVAIL_F_NO_INTERRUPT) == 0;
        }
        final int usedEvent = avail.get(U16_PLAIN, usedEventOffset) & 0xFFFF;
        final int old = signalledUsed;
        final boolean valid = signalledUsedValid;
        signalledUsed = usedIdx;
        signalledUsedValid = true;
        return !valid || needEvent(usedEvent, usedIdx, old);
    }

    /**
     * virtio 1.2 §2.7.7.2 / §2.7.10.2: true when {@code event} lies in the 16-bit index window
     * [{@code oldIdx}, {@code newIdx}): the index moved past the entry the other side asked about.
     */
    public static boolean needEvent(final int event, final int newIdx, final int oldIdx)
    {
        return ((newIdx - event - 1) & 0xFFFF) < ((newIdx - oldIdx) & 0xFFFF);
    }

    /**
     * Tells the driver not to kick: this device polls (§2.7.10). Without EVENT_IDX by
     * VIRTQ_USED_F_NO_NOTIFY; with it (where the driver ignores that flag) by keeping avail_event
     * behind the entries already taken, refreshed by {@link #available()} long before it wraps.
     */
    public void suppressKicks()
    {
        U16.setRelease(used, (long)USED_FLAGS_OFFSET, (short)USED_F_NO_NOTIFY);
        if (eventIdx)
        {
            kicksSuppressed = true;
            writeAvailEvent(lastAvail - 1);
        }
    }

    /**
     * Asks the driver to kick for the next entry it makes available (before a worker parks on the
     * kick eventfd). The caller must check {@link #available()} again afterwards: an entry made
     * available before the driver saw the request sends no kick.
     */
    public void enableKicks()
    {
        if (eventIdx)
        {
            kicksSuppressed = false;
            writeAvailEvent(lastAvail);
        }
        U16.setRelease(used, (long)USED_FLAGS_OFFSET, (short)0);
        // the request must be visible before the caller reads the avail index again (store-load)
        VarHandle.fullFence();
    }

    private void writeAvailEvent(final int index)
    {
        availEventWritten = (index + 1) & 0xFFFF;
        U16.setRelease(used, availEventOffset, (short)index);
    }

    public static String describeError(final int code)
    {
        return switch (code)
        {
            case ERR_HEAD_OUT_OF_RANGE -> "head index out of range";
            case ERR_NEXT_OUT_OF_RANGE -> "next index out of range";
            case ERR_CHAIN_TOO_LONG -> "descriptor chain longer than the queue (loop?)";
            case ERR_ADDRESS -> "buffer outside guest memory";
            case ERR_INDIRECT -> "malformed indirect descriptor";
            case ERR_AVAIL_INDEX -> "avail index more than a ring ahead";
            default -> "error " + code;
        };
    }
}
