package io.vplane.nic.port;

import io.vplane.engine.linux.Iovec;
import io.vplane.nic.vswitch.FrameBurst;
import io.vplane.virtio.memory.GuestMemory;
import io.vplane.virtio.memory.MemoryRegion;
import io.vplane.virtio.virtq.SplitRing;
import io.vplane.virtio.virtq.SplitVirtQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static io.vplane.virtio.virtq.SplitRing.AVAIL_IDX_OFFSET;
import static io.vplane.virtio.virtq.SplitRing.AVAIL_RING_OFFSET;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The buffer-control pool over a split ring in test memory, with the test playing both the guest
 * (descriptors, avail ring) and the kernel (writing a frame where the pool's iovecs point).
 */
class GuestRxPoolTest
{
    private static final long GPA = 0x4000_0000L;
    private static final long UADDR = 0x7f00_0000_0000L;
    private static final int SIZE = 8;
    private static final long DESC = 0;
    private static final long AVAIL = 0x1000;
    private static final long USED = 0x2000;
    private static final long BUFFERS = 0x8000;
    private static final int BUFFER_BYTES = 2048;

    private final Arena arena = Arena.ofShared();
    private final MemorySegment ram = arena.allocate(0x10000, 4096);
    private final GuestMemory memory = GuestMemory.wrap(
        new MemoryRegion[] {new MemoryRegion(GPA, ram.byteSize(), UADDR, 0)}, new MemorySegment[] {ram});
    private final SplitVirtQueue queue = SplitVirtQueue.create(memory, SIZE, UADDR + DESC, UADDR + AVAIL, UADDR + USED, 0, -1, false);
    private final GuestRxPool pool = new GuestRxPool(4);
    private final FrameBurst burst = new FrameBurst(4);

    @AfterEach
    void close()
    {
        memory.close();
        arena.close();
    }

    @Test
    void shouldPublishAFrameWhereTheKernelWroteItAndReuseABufferWhoseFrameWentElsewhere()
    {
        for (int i = 0; i < 3; i++)
        {
            descriptor(i, GPA + BUFFERS + (long)i * BUFFER_BYTES, BUFFER_BYTES, SplitRing.DESC_F_WRITE, 0);
            offer(i);
        }
        pool.bind(queue);
        assertThat(pool.topUp(queue, 4, queue.available())).isEqualTo(3);
        assertThat(pool.readyCount()).isEqualTo(3);

        pool.lendInto(burst);
        final int first = received(60, (byte)1);
        final int second = received(60, (byte)2);
        assertThat(pool.holds(burst, 0)).isTrue();
        pool.publish(queue, burst, 0);
        pool.endBurst(burst);
        queue.publishUsed();

        final int head = ram.get(ValueLayout.JAVA_INT, USED + 4);
        final long buffer = BUFFERS + (long)head * BUFFER_BYTES;
        assertThat(ram.get(ValueLayout.JAVA_SHORT, USED + 2)).isEqualTo((short)1);
        assertThat(ram.get(ValueLayout.JAVA_INT, USED + 8)).isEqualTo(VirtioNet.HEADER_SIZE + 60);
        assertThat(ram.get(ValueLayout.JAVA_SHORT, buffer + VirtioNet.HEADER_NUM_BUFFERS_OFFSET)).isEqualTo((short)1);
        assertThat(ram.get(ValueLayout.JAVA_BYTE, buffer + VirtioNet.HEADER_SIZE + 59)).isEqualTo((byte)1);
        assertThat(first).isNotEqualTo(second);
        // the second buffer's frame went elsewhere: back in the pool, its head still taken
        assertThat(pool.readyCount()).isEqualTo(2);
        assertThat(pool.held()).isEqualTo(2);
        assertThat(queue.available()).isZero();
    }

    @Test
    void shouldRefuseAReceiveBufferTheDeviceMayNotWrite()
    {
        descriptor(0, GPA + BUFFERS, BUFFER_BYTES, 0, 0);
        offer(0);
        pool.bind(queue);
        assertThat(pool.topUp(queue, 4, queue.available())).isEqualTo(GuestRxPool.ERR_NOT_WRITABLE);
        assertThat(pool.readyCount()).isZero();
    }

    @Test
    void shouldPointTheFrameBehindAHeaderOnlyDescriptor()
    {
        descriptor(0, GPA + BUFFERS, VirtioNet.HEADER_SIZE, SplitRing.DESC_F_WRITE | SplitRing.DESC_F_NEXT, 1);
        descriptor(1, GPA + BUFFERS + 4096, 1500, SplitRing.DESC_F_WRITE, 0);
        offer(0);
        pool.bind(queue);
        assertThat(pool.topUp(queue, 4, queue.available())).isEqualTo(1);
        final int entry = pool.take();
        assertThat(pool.iovecCount(entry)).isEqualTo(2);
        assertThat(pool.room(entry)).isEqualTo(VirtioNet.HEADER_SIZE + 1500);
        assertThat(pool.frameAddress(entry)).isEqualTo(ram.address() + BUFFERS + 4096);
        assertThat(pool.frameRoom(entry)).isEqualTo(1500);
        final MemorySegment iovecs = MemorySegment.ofAddress(pool.iovecAddress(entry)).reinterpret(2L * Iovec.SIZE);
        assertThat(iovecs.get(ValueLayout.JAVA_LONG, Iovec.SIZE + Iovec.LENGTH_OFFSET)).isEqualTo(1500);
    }

    @Test
    void shouldForgetHeadsOfARingThatWasReplaced()
    {
        descriptor(0, GPA + BUFFERS, BUFFER_BYTES, SplitRing.DESC_F_WRITE, 0);
        offer(0);
        pool.bind(queue);
        pool.topUp(queue, 4, queue.available());
        assertThat(pool.held()).isEqualTo(1);

        pool.bind(SplitVirtQueue.create(memory, SIZE, UADDR + DESC, UADDR + AVAIL, UADDR + USED, 0, -1, false));

        assertThat(pool.held()).isZero();
        assertThat(pool.take()).isEqualTo(-1);
    }

    /** Plays the kernel: a frame into the next ready entry, added to the burst. @return the entry */
    private int received(final int length, final byte fill)
    {
        final int entry = pool.take();
        MemorySegment.ofAddress(pool.frameAddress(entry)).reinterpret(length).fill(fill);
        burst.add(pool.frameAddress(entry), length, pool.frameRoom(entry), entry);
        return entry;
    }

    private void offer(final int head)
    {
        final int idx = ram.get(ValueLayout.JAVA_SHORT, AVAIL + AVAIL_IDX_OFFSET) & 0xFFFF;
        ram.set(ValueLayout.JAVA_SHORT, AVAIL + AVAIL_RING_OFFSET + 2L * (idx % SIZE), (short)head);
        ram.set(ValueLayout.JAVA_SHORT, AVAIL + AVAIL_IDX_OFFSET, (short)(idx + 1));
    }

    private void descriptor(final int index, final long addr, final int len, final int flags, final int next)
    {
        final long at = DESC + (long)index * SplitRing.DESC_SIZE;
        ram.set(ValueLayout.JAVA_LONG, at, addr);
        ram.set(ValueLayout.JAVA_INT, at + 8, len);
        ram.set(ValueLayout.JAVA_SHORT, at + 12, (short)flags);
        ram.set(ValueLayout.JAVA_SHORT, at + 14, (short)next);
    }
}
