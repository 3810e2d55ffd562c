package io.vplane.virtio.vhostuser;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static io.vplane.virtio.virtq.SplitRing.*;

/**
 * The driver's side of {@link TestFrontend}'s split rings (queue q's at q * 0x4000 of guest RAM, as
 * its start-up sets them): writes descriptors, makes chains available, reads the used index.
 * Allocates nothing per call, so benchmarks can drive a device with it.
 */
public final class TestDriverRings
{
    private final MemorySegment ram;
    private final int size;
    private final int[] nextAvail;

    public TestDriverRings(final MemorySegment ram, final int queues, final int size)
    {
        this.ram = ram;
        this.size = size;
        this.nextAvail = new int[queues];
    }

    public static long ringBase(final int queue)
    {
        return queue * 0x4000L;
    }

    /** Descriptor {@code index} of {@code queue}: {@code len} bytes of guest RAM at {@code ramOffset}. */
    public void descriptor(final int queue, final int index, final long ramOffset, final int len, final int flags, final int next)
    {
        final long at = ringBase(queue) + TestFrontend.DESC + (long)index * DESC_SIZE;
        ram.set(ValueLayout.JAVA_LONG, at, TestFrontend.GPA + ramOffset);
        ram.set(ValueLayout.JAVA_INT, at + 8, len);
        ram.set(ValueLayout.JAVA_SHORT, at + 12, (short)flags);
        ram.set(ValueLayout.JAVA_SHORT, at + 14, (short)next);
    }

    /** Makes the chain at {@code head} available on {@code queue}. */
    public void offer(final int queue, final int head)
    {
        final long avail = ringBase(queue) + TestFrontend.AVAIL;
        ram.set(ValueLayout.JAVA_SHORT, avail + AVAIL_RING_OFFSET + 2L * (nextAvail[queue] % size), (short)head);
        nextAvail[queue] = (nextAvail[queue] + 1) & 0xFFFF;
        ram.set(ValueLayout.JAVA_SHORT, avail + AVAIL_IDX_OFFSET, (short)nextAvail[queue]);
    }

    /** The device's used index of {@code queue}. */
    public int used(final int queue)
    {
        return ram.get(ValueLayout.JAVA_SHORT, ringBase(queue) + TestFrontend.USED + USED_IDX_OFFSET) & 0xFFFF;
    }
}
