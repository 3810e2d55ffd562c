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
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(30)
class SplitVirtQueueTest
{
    private static final long GPA = 0x4000_0000L;
    private static final long UADDR = 0x7f00_0000_0000L;
    private static final int SIZE = 8;
    private static final long DESC = 0;
    private static final long AVAIL = 0x1000;
    private static final long USED = 0x2000;
    private static final long BUFFERS = 0x8000;

    private final Arena arena = Arena.ofShared();
    private final MemorySegment ram = arena.allocate(0x10000, 4096);
    private final GuestMemory memory = GuestMemory.wrap(
        new MemoryRegion[] {new MemoryRegion(GPA, ram.byteSize(), UADDR, 0)}, new MemorySegment[] {ram});
    private final SplitVirtQueue queue = SplitVirtQueue.create(memory, SIZE, UADDR + DESC, UADDR + AVAIL, UADDR + USED, 0, -1, false);

    @AfterEach
    void close()
    {
        memory.close();
        arena.close();
    }

    @Test
    void shouldWalkADirectChain()
    {
        descriptor(0, GPA + BUFFERS, 12, DESC_F_NEXT, 3);
        descriptor(3, GPA + BUFFERS + 100, 60, 0, 0);
        offer(0);
        assertThat(queue.available()).isEqualTo(1);
        final int head = queue.takeHead();
        assertThat(queue.walk(head, queue.chain())).isEqualTo(SplitVirtQueue.OK);
        assertThat(queue.chain().count()).isEqualTo(2);
        assertThat(queue.chain().totalLength()).isEqualTo(72);
        assertThat(queue.chain().offset(1)).isEqualTo(BUFFERS + 100);
        assertThat(queue.available()).isZero();
    }

    @Test
    void shouldWalkAnIndirectTable()
    {
        final long table = 0x3000;
        ram.set(ValueLayout.JAVA_LONG, table, GPA + BUFFERS);
        ram.set(ValueLayout.JAVA_INT, table + 8, 12);
        ram.set(ValueLayout.JAVA_SHORT, table + 12, (short)DESC_F_NEXT);
        ram.set(ValueLayout.JAVA_SHORT, table + 14, (short)1);
        ram.set(ValueLayout.JAVA_LONG, table + 16, GPA + BUFFERS + 64);
        ram.set(ValueLayout.JAVA_INT, table + 24, 1500);
        descriptor(2, GPA + table, 32, DESC_F_INDIRECT, 0);
        assertThat(queue.walk(2, queue.chain())).isEqualTo(SplitVirtQueue.OK);
        assertThat(queue.chain().totalLength()).isEqualTo(1512);
    }

    @Test
    void shouldStopALoopingChainAtTheQueueSize()
    {
        descriptor(0, GPA + BUFFERS, 12, DESC_F_NEXT, 1);
        descriptor(1, GPA + BUFFERS, 12, DESC_F_NEXT, 0);
        assertThat(queue.walk(0, queue.chain())).isEqualTo(SplitVirtQueue.ERR_CHAIN_TOO_LONG);
    }

    @Test
    void shouldRejectBadIndicesAddressesAndNestedIndirects()
    {
        assertThat(queue.walk(SIZE, queue.chain())).isEqualTo(SplitVirtQueue.ERR_HEAD_OUT_OF_RANGE);
        descriptor(0, GPA + BUFFERS, 12, DESC_F_NEXT, SIZE);
        assertThat(queue.walk(0, queue.chain())).isEqualTo(SplitVirtQueue.ERR_NEXT_OUT_OF_RANGE);
        descriptor(0, GPA + ram.byteSize() - 8, 16, 0, 0);
        assertThat(queue.walk(0, queue.chain())).isEqualTo(SplitVirtQueue.ERR_ADDRESS);
        descriptor(0, 0x1000, 16, 0, 0);
        assertThat(queue.walk(0, queue.chain())).isEqualTo(SplitVirtQueue.ERR_ADDRESS);
        descriptor(0, GPA + BUFFERS, -1, 0, 0);
        assertThat(queue.walk(0, queue.chain())).isEqualTo(SplitVirtQueue.ERR_ADDRESS);
        final long table = 0x3000;
        ram.set(ValueLayout.JAVA_LONG, table, GPA + table);
        ram.set(ValueLayout.JAVA_INT, table + 8, 16);
        ram.set(ValueLayout.JAVA_SHORT, table + 12, (short)DESC_F_INDIRECT);
        descriptor(0, GPA + table, 16, DESC_F_INDIRECT, 0);
        assertThat(queue.walk(0, queue.chain())).isEqualTo(SplitVirtQueue.ERR_INDIRECT);
        descriptor(0, GPA + table, 17, DESC_F_INDIRECT, 0);
        assertThat(queue.walk(0, queue.chain())).isEqualTo(SplitVirtQueue.ERR_INDIRECT);
    }

    @Test
    void shouldReportAnAvailIndexMoreThanARingAhead()
    {
        ram.set(ValueLayout.JAVA_SHORT, AVAIL + AVAIL_IDX_OFFSET, (short)(SIZE + 1));
        assertThat(queue.available()).isEqualTo(SplitVirtQueue.ERR_AVAIL_INDEX);
    }

    @Test
    void shouldPublishUsedEntriesWithOneIndexStore()
    {
        queue.addUsed(3, 0);
        queue.addUsed(5, 64);
        assertThat(ram.get(ValueLayout.JAVA_SHORT, USED + USED_IDX_OFFSET)).isZero();
        queue.publishUsed();
        assertThat(ram.get(ValueLayout.JAVA_SHORT, USED + USED_IDX_OFFSET)).isEqualTo((short)2);
        assertThat(ram.get(ValueLayout.JAVA_INT, USED + USED_RING_OFFSET + 8)).isEqualTo(5);
        assertThat(ram.get(ValueLayout.JAVA_INT, USED + USED_RING_OFFSET + 12)).isEqualTo(64);
    }

    @Test
    void shouldRejectRingsOutsideMemoryOrMisaligned()
    {
        assertThatThrownBy(() -> SplitVirtQueue.create(memory, SIZE, UADDR + 0xFFF0, UADDR + AVAIL, UADDR + USED, 0, -1, false))
            .hasMessageContaining("descriptor table").hasMessageContaining("outside every memory region");
        assertThatThrownBy(() -> SplitVirtQueue.create(memory, SIZE, GPA, UADDR + AVAIL, UADDR + USED, 0, -1, false))
            .hasMessageContaining("outside every memory region");
        assertThatThrownBy(() -> SplitVirtQueue.create(memory, SIZE, UADDR + DESC, UADDR + AVAIL, UADDR + USED + 2, 0, -1, false))
            .hasMessageContaining("used ring").hasMessageContaining("aligned");
        assertThatThrownBy(() -> SplitVirtQueue.create(memory, 6, UADDR + DESC, UADDR + AVAIL, UADDR + USED, 0, -1, false))
            .hasMessageContaining("power of two");
    }

    private void offer(final int head)
    {
        final int idx = ram.get(ValueLayout.JAVA_SHORT, AVAIL + AVAIL_IDX_OFFSET) & 0xFFFF;
        ram.set(ValueLayout.JAVA_SHORT, AVAIL + AVAIL_RING_OFFSET + 2L * (idx % SIZE), (short)head);
        ram.set(ValueLayout.JAVA_SHORT, AVAIL + AVAIL_IDX_OFFSET, (short)(idx + 1));
    }

    private void descriptor(final int index, final long addr, final int len, final int flags, final int next)
    {
        final long at = DESC + (long)index * DESC_SIZE;
        ram.set(ValueLayout.JAVA_LONG, at, addr);
        ram.set(ValueLayout.JAVA_INT, at + 8, len);
        ram.set(ValueLayout.JAVA_SHORT, at + 12, (short)flags);
        ram.set(ValueLayout.JAVA_SHORT, at + 14, (short)next);
    }
}
