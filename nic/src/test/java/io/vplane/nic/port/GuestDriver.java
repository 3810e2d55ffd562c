package io.vplane.nic.port;

import io.vplane.virtio.vhostuser.TestFrontend;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static io.vplane.virtio.virtq.SplitRing.*;

/** Plays the guest's virtio-net driver on the rings {@link TestFrontend#startUp} set up (queue q at q * 0x4000). */
final class GuestDriver
{
    static final int SIZE = 256;
    private final MemorySegment ram;

    GuestDriver(final TestFrontend frontend)
    {
        this.ram = frontend.ramBytes;
    }

    static long ringBase(final int queue)
    {
        return queue * 0x4000L;
    }

    void descriptor(final int queue, final int index, final long ramOffset, final int len, final int flags, final int next)
    {
        final long at = ringBase(queue) + TestFrontend.DESC + (long)index * DESC_SIZE;
        ram.set(ValueLayout.JAVA_LONG, at, TestFrontend.GPA + ramOffset);
        ram.set(ValueLayout.JAVA_INT, at + 8, len);
        ram.set(ValueLayout.JAVA_SHORT, at + 12, (short)flags);
        ram.set(ValueLayout.JAVA_SHORT, at + 14, (short)next);
    }

    void offer(final int queue, final int head)
    {
        final long avail = ringBase(queue) + TestFrontend.AVAIL;
        final int idx = ram.get(ValueLayout.JAVA_SHORT, avail + AVAIL_IDX_OFFSET) & 0xFFFF;
        ram.set(ValueLayout.JAVA_SHORT, avail + AVAIL_RING_OFFSET + 2L * (idx % SIZE), (short)head);
        ram.set(ValueLayout.JAVA_SHORT, avail + AVAIL_IDX_OFFSET, (short)(idx + 1));
    }

    int availIdx(final int queue)
    {
        return ram.get(ValueLayout.JAVA_SHORT, ringBase(queue) + TestFrontend.AVAIL + AVAIL_IDX_OFFSET) & 0xFFFF;
    }

    void noInterrupt(final int queue)
    {
        ram.set(ValueLayout.JAVA_SHORT, ringBase(queue) + TestFrontend.AVAIL + AVAIL_FLAGS_OFFSET, (short)AVAIL_F_NO_INTERRUPT);
    }

    int usedIdx(final int queue)
    {
        return ram.get(ValueLayout.JAVA_SHORT, ringBase(queue) + TestFrontend.USED + USED_IDX_OFFSET) & 0xFFFF;
    }

    int usedFlags(final int queue)
    {
        return ram.get(ValueLayout.JAVA_SHORT, ringBase(queue) + TestFrontend.USED + USED_FLAGS_OFFSET) & 0xFFFF;
    }

    /** avail_event (EVENT_IDX): the device's "kick me when you publish this entry". */
    int availEvent(final int queue)
    {
        return ram.get(ValueLayout.JAVA_SHORT, ringBase(queue) + TestFrontend.USED + USED_RING_OFFSET + (long)USED_ELEM_SIZE * SIZE) & 0xFFFF;
    }

    int usedId(final int queue, final int slot)
    {
        return ram.get(ValueLayout.JAVA_INT, ringBase(queue) + TestFrontend.USED + USED_RING_OFFSET + (long)USED_ELEM_SIZE * slot);
    }

    int usedLen(final int queue, final int slot)
    {
        return ram.get(ValueLayout.JAVA_INT, ringBase(queue) + TestFrontend.USED + USED_RING_OFFSET + (long)USED_ELEM_SIZE * slot + 4);
    }

    MemorySegment ram()
    {
        return ram;
    }
}
