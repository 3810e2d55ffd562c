package io.vplane.nic.virtq;

import io.vplane.nic.memory.GuestMemory;
import io.vplane.engine.posix.Posix;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

import static io.vplane.nic.virtq.SplitRing.*;

/**
 * The device side of one running split virtqueue over guest memory (virtio 1.2 §2.7). Used by
 * one thread at a time (the worker that polls the queue). Hostile-driver safe: every index,
 * address, length and chain is checked; a bad ring yields an error code, never an exception.
 * <p>
 * Ordering (§2.7.13): the avail index is read with acquire before the entries it covers; used
 * entries are written plainly and published by one release store of the used index per burst;
 * a full fence separates that store from reading the driver's NO_INTERRUPT flag.
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
    private static final ValueLayout.OfInt U32_PLAIN = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfLong U64_PLAIN = ValueLayout.JAVA_LONG_UNALIGNED;

    private final GuestMemory memory;
    private final MemorySegment desc;
    private final MemorySegment avail;
    private final MemorySegment used;
    private final int size;
    private final int mask;
    private final int callFd;
    private final DescriptorChain chain;
    private int lastAvail;
    private int usedIdx;

    private SplitVirtQueue(
        final GuestMemory memory,
        final MemorySegment desc,
        final MemorySegment avail,
        final MemorySegment used,
        final int size,
        final int base,
        final int callFd)
    {
        this.memory = memory;
        this.desc = desc;
        this.avail = avail;
        this.used = used;
        this.size = size;
        this.mask = size - 1;
        this.callFd = callFd;
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
     * @throws VirtQueueException naming the problem
     */
    public static SplitVirtQueue create(
        final GuestMemory memory,
        final int size,
        final long descAddr,
        final long availAddr,
        final long usedAddr,
        final int base,
        final int callFd)
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
        return new SplitVirtQueue(memory, desc, avail, used, size, usedInMemory != (base & 0xFFFF) ? usedInMemory : base, callFd);
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

    /**
     * Heads the driver made available and this queue has not taken yet.
     *
     * @return 0..size, or {@link #ERR_AVAIL_INDEX} when the driver's index ran more than a ring ahead
     */
    public int available()
    {
        final int availIdx = (short)U16.getAcquire(avail, (long)AVAIL_IDX_OFFSET) & 0xFFFF;
        final int pending = (availIdx - lastAvail) & 0xFFFF;
        return pending > size ? ERR_AVAIL_INDEX : pending;
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
            final long entry = tableBase + (long)index * DESC_SIZE;
            final long addr = table.get(U64_PLAIN, entry + DESC_ADDR_OFFSET);
            final int len = table.get(U32_PLAIN, entry + DESC_LEN_OFFSET);
            final int flags = table.get(U16_PLAIN, entry + DESC_FLAGS_OFFSET) & 0xFFFF;
            final int next = table.get(U16_PLAIN, entry + DESC_NEXT_OFFSET) & 0xFFFF;
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
            final int region = memory.findGuest(addr, len);
            if (region < 0)
            {
                return ERR_ADDRESS;
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
        final long element = USED_RING_OFFSET + (long)USED_ELEM_SIZE * (usedIdx & mask);
        used.set(U32_PLAIN, element + USED_ELEM_ID_OFFSET, id);
        used.set(U32_PLAIN, element + USED_ELEM_LEN_OFFSET, len);
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
        if (callFd < 0)
        {
            return false;
        }
        // the used index store must be visible before we read the driver's flag (store-load)
        VarHandle.fullFence();
        if ((avail.get(U16_PLAIN, AVAIL_FLAGS_OFFSET) & AVAIL_F_NO_INTERRUPT) != 0)
        {
            return false;
        }
        Posix.eventfdSignal(callFd);
        return true;
    }

    /** Tells the driver not to kick: this device polls (§2.7.10, VIRTQ_USED_F_NO_NOTIFY). */
    public void suppressKicks()
    {
        U16.setRelease(used, (long)USED_FLAGS_OFFSET, (short)USED_F_NO_NOTIFY);
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
