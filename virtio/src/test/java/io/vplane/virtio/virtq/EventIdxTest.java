package io.vplane.virtio.virtq;

import io.vplane.virtio.memory.GuestMemory;
import io.vplane.virtio.memory.MemoryRegion;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static io.vplane.virtio.virtq.SplitRing.*;
import static org.assertj.core.api.Assertions.assertThat;

/** VIRTIO_F_EVENT_IDX both ways (virtio 1.2 §2.7.7.2 used_event, §2.7.10.2 avail_event), across 16-bit wrap. */
@Timeout(30)
class EventIdxTest
{
    private static final long GPA = 0x4000_0000L;
    private static final long UADDR = 0x7f00_0000_0000L;
    private static final int SIZE = 8;
    private static final long DESC = 0;
    private static final long AVAIL = 0x1000;
    private static final long USED = 0x2000;
    private static final long USED_EVENT = AVAIL + AVAIL_RING_OFFSET + 2L * SIZE;
    private static final long AVAIL_EVENT = USED + USED_RING_OFFSET + (long)USED_ELEM_SIZE * SIZE;

    private final Arena arena = Arena.ofShared();
    private final MemorySegment ram = arena.allocate(0x10000, 4096);
    private final GuestMemory memory = GuestMemory.wrap(
        new MemoryRegion[] {new MemoryRegion(GPA, ram.byteSize(), UADDR, 0)}, new MemorySegment[] {ram});

    @AfterEach
    void close()
    {
        memory.close();
        arena.close();
    }

    @Test
    void shouldDetectEventsInsideTheWindowAcrossTheWrap()
    {
        assertThat(SplitVirtQueue.needEvent(0xFFFF, 0x0001, 0xFFFE)).isTrue();
        assertThat(SplitVirtQueue.needEvent(0x0000, 0x0001, 0xFFFE)).isTrue();
        assertThat(SplitVirtQueue.needEvent(0xFFFE, 0x0001, 0xFFFE)).isTrue();
        assertThat(SplitVirtQueue.needEvent(0x0001, 0x0001, 0xFFFE)).isFalse();
        assertThat(SplitVirtQueue.needEvent(0xFFFD, 0x0001, 0xFFFE)).isFalse();
        assertThat(SplitVirtQueue.needEvent(0x0002, 0x0001, 0xFFFE)).isFalse();
        assertThat(SplitVirtQueue.needEvent(0x0005, 0x0005, 0x0005)).isFalse();
    }

    @Test
    void shouldCallOnlyWhenTheUsedIndexPassesUsedEventAcrossTheWrap()
    {
        final SplitVirtQueue queue = queueAt(0xFFFC, true);
        used(queue, 2);
        assertThat(queue.callWanted()).as("first decision always calls").isTrue();
        ram.set(ValueLayout.JAVA_SHORT, USED_EVENT, (short)0x0001);
        used(queue, 2);
        assertThat(queue.usedIndex()).isZero();
        assertThat(queue.callWanted()).as("used 0xFFFE..0x0000 does not reach event 1").isFalse();
        used(queue, 2);
        assertThat(queue.callWanted()).as("used 0x0000..0x0002 passes event 1").isTrue();
        used(queue, 1);
        assertThat(queue.callWanted()).as("event 1 already passed").isFalse();
    }

    @Test
    void shouldIgnoreNoInterruptWithEventIdxAndHonourItWithout()
    {
        ram.set(ValueLayout.JAVA_SHORT, AVAIL + AVAIL_FLAGS_OFFSET, (short)AVAIL_F_NO_INTERRUPT);
        final SplitVirtQueue plain = queueAt(0, false);
        used(plain, 1);
        assertThat(plain.callWanted()).isFalse();

        final SplitVirtQueue withEventIdx = queueAt(0, true);
        used(withEventIdx, 1);
        assertThat(withEventIdx.callWanted()).isTrue();
        ram.set(ValueLayout.JAVA_SHORT, USED_EVENT, (short)1);
        used(withEventIdx, 1);
        assertThat(withEventIdx.callWanted()).isTrue();
    }

    @Test
    void shouldKeepAvailEventBehindSoThatTheDriverNeverKicksAcrossManyWraps()
    {
        final SplitVirtQueue queue = queueAt(0xFF00, true);
        descriptor(0);
        queue.suppressKicks();
        assertThat(availEvent()).isEqualTo(0xFEFF);
        for (int i = 0; i < 3 * 65536; i++)
        {
            final int old = availIdx();
            offer(0);
            assertThat(SplitVirtQueue.needEvent(availEvent(), availIdx(), old)).as("kick at entry %d", i).isFalse();
            assertThat(queue.available()).isEqualTo(1);
            assertThat(queue.walk(queue.takeHead(), queue.chain())).isEqualTo(SplitVirtQueue.OK);
        }
    }

    @Test
    void shouldAskForAKickAtTheNextEntryWhenKicksAreEnabled()
    {
        final SplitVirtQueue queue = queueAt(0xFFFF, true);
        queue.suppressKicks();
        queue.enableKicks();
        assertThat(availEvent()).isEqualTo(0xFFFF);
        assertThat(ram.get(ValueLayout.JAVA_SHORT, USED + USED_FLAGS_OFFSET)).isZero();
        final int old = availIdx();
        offer(0);
        assertThat(SplitVirtQueue.needEvent(availEvent(), availIdx(), old)).isTrue();
    }

    private SplitVirtQueue queueAt(final int index, final boolean eventIdx)
    {
        ram.set(ValueLayout.JAVA_SHORT, AVAIL + AVAIL_IDX_OFFSET, (short)index);
        ram.set(ValueLayout.JAVA_SHORT, USED + USED_IDX_OFFSET, (short)index);
        final SplitVirtQueue queue = SplitVirtQueue.create(memory, SIZE, UADDR + DESC, UADDR + AVAIL, UADDR + USED, index, 7, eventIdx);
        assertThat(queue.usedIndex()).isEqualTo(index);
        return queue;
    }

    private static void used(final SplitVirtQueue queue, final int count)
    {
        for (int i = 0; i < count; i++)
        {
            queue.addUsed(0, 64);
        }
        queue.publishUsed();
    }

    private int availIdx()
    {
        return ram.get(ValueLayout.JAVA_SHORT, AVAIL + AVAIL_IDX_OFFSET) & 0xFFFF;
    }

    private int availEvent()
    {
        return ram.get(ValueLayout.JAVA_SHORT, AVAIL_EVENT) & 0xFFFF;
    }

    private void offer(final int head)
    {
        final int idx = availIdx();
        ram.set(ValueLayout.JAVA_SHORT, AVAIL + AVAIL_RING_OFFSET + 2L * (idx % SIZE), (short)head);
        ram.set(ValueLayout.JAVA_SHORT, AVAIL + AVAIL_IDX_OFFSET, (short)(idx + 1));
    }

    private void descriptor(final int index)
    {
        final long at = DESC + (long)index * DESC_SIZE;
        ram.set(ValueLayout.JAVA_LONG, at, GPA + 0x8000);
        ram.set(ValueLayout.JAVA_INT, at + 8, 64);
        ram.set(ValueLayout.JAVA_SHORT, at + 12, (short)0);
        ram.set(ValueLayout.JAVA_SHORT, at + 14, (short)0);
    }
}
