package io.vplane.engine.linux;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * One ring of an AF_XDP socket, mapped from the kernel: a power-of-two array of entries between a
 * producer and a consumer index (u32, free-running). The fill and completion rings hold u64 UMEM
 * addresses; the rx and tx rings hold struct xdp_desc (16 bytes: 0 u64 addr, 8 u32 len, 12 u32
 * options). This side keeps its own copy of both indices and reads the kernel's with acquire only when
 * its copy says the ring is empty (consumer side) or full (producer side); entries are written before
 * the producer index is released, and read before the consumer index is released. Allocates nothing.
 */
public final class XdpRing
{
    public static final int DESC_SIZE = 16;
    public static final int ADDRESS_SIZE = 8;
    static final int XDP_RING_NEED_WAKEUP = 1;

    private static final VarHandle INDEX = ValueLayout.JAVA_INT.varHandle();

    private final MemorySegment map;
    private final long producerOffset;
    private final long consumerOffset;
    private final long flagsOffset;
    private final long entriesOffset;
    private final int entrySize;
    private final int size;
    private final int mask;
    private int producer;
    private int consumer;

    XdpRing(final MemorySegment map, final XdpMmapOffsets offsets, final int ring, final int size, final int entrySize)
    {
        this.map = map;
        this.producerOffset = offsets.producer(ring);
        this.consumerOffset = offsets.consumer(ring);
        this.flagsOffset = offsets.flags(ring);
        this.entriesOffset = offsets.desc(ring);
        this.entrySize = entrySize;
        this.size = size;
        this.mask = size - 1;
        this.producer = (int)INDEX.getAcquire(map, producerOffset);
        this.consumer = (int)INDEX.getAcquire(map, consumerOffset);
    }

    /** Bytes a ring of {@code size} entries maps, from the offsets the kernel gave. */
    static long mapBytes(final XdpMmapOffsets offsets, final int ring, final int size, final int entrySize)
    {
        return offsets.desc(ring) + (long)size * entrySize;
    }

    public int size()
    {
        return size;
    }

    // ---- consumer side (rx, completion) ----

    /** Entries the kernel has produced and this side not yet released, at most {@code max}. */
    public int available(final int max)
    {
        int ready = producer - consumer;
        if (ready < max)
        {
            producer = (int)INDEX.getAcquire(map, producerOffset);
            ready = producer - consumer;
        }
        return Math.min(ready, max);
    }

    /** UMEM address of the {@code i}-th entry from the consumer index (any ring kind). */
    public long address(final int i)
    {
        return map.get(JAVA_LONG, entriesOffset + (long)((consumer + i) & mask) * entrySize);
    }

    /** Length of the {@code i}-th descriptor from the consumer index (rx ring). */
    public int length(final int i)
    {
        return map.get(JAVA_INT, entriesOffset + (long)((consumer + i) & mask) * entrySize + 8);
    }

    /** Gives {@code n} read entries back to the kernel. */
    public void release(final int n)
    {
        consumer += n;
        INDEX.setRelease(map, consumerOffset, consumer);
    }

    // ---- producer side (fill, tx) ----

    /** Free entries this side may write, at most {@code max}. */
    public int free(final int max)
    {
        int free = size - (producer - consumer);
        if (free < max)
        {
            consumer = (int)INDEX.getAcquire(map, consumerOffset);
            free = size - (producer - consumer);
        }
        return Math.min(free, max);
    }

    /** Entries produced that the kernel has not consumed yet, as last seen (a fresh look). */
    public int outstanding()
    {
        consumer = (int)INDEX.getAcquire(map, consumerOffset);
        return producer - consumer;
    }

    /** Writes UMEM address {@code address} as the {@code i}-th entry past the producer index (fill ring). */
    public void putAddress(final int i, final long address)
    {
        map.set(JAVA_LONG, entriesOffset + (long)((producer + i) & mask) * entrySize, address);
    }

    /** Writes descriptor {@code address, length} as the {@code i}-th entry past the producer index (tx ring). */
    public void putDesc(final int i, final long address, final int length)
    {
        final long at = entriesOffset + (long)((producer + i) & mask) * entrySize;
        map.set(JAVA_LONG, at, address);
        map.set(JAVA_INT, at + 8, length);
        map.set(JAVA_INT, at + 12, 0);
    }

    /** Hands the {@code n} written entries to the kernel. */
    public void submit(final int n)
    {
        producer += n;
        INDEX.setRelease(map, producerOffset, producer);
    }

    /** The kernel asks for a system call to go on with this ring (XDP_USE_NEED_WAKEUP was bound). */
    public boolean needsWakeup()
    {
        return ((int)INDEX.getAcquire(map, flagsOffset) & XDP_RING_NEED_WAKEUP) != 0;
    }
}
