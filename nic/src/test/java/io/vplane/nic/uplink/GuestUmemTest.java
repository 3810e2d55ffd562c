package io.vplane.nic.uplink;

import io.vplane.engine.linux.FileIo;
import io.vplane.engine.linux.MemFd;
import io.vplane.engine.linux.MemoryMap;
import io.vplane.virtio.memory.GuestMemory;
import io.vplane.virtio.memory.MemoryRegion;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The UMEM over two guest regions (shared memfd mappings, as vhost-user maps them) and the table of lent offsets. */
class GuestUmemTest
{
    private static final long REGION = 64 * 1024;
    private static final long HOST = 10_000;

    private final List<MemorySegment> mapped = new ArrayList<>();

    @AfterEach
    void unmap()
    {
        mapped.forEach(segment -> MemoryMap.munmap(segment.address(), segment.byteSize()));
    }

    @Test
    void shouldShowEachRegionsBytesAtItsOffsetAndRefuseWhatLeavesARegion()
    {
        final MemorySegment a = shared();
        final MemorySegment b = shared();
        final GuestMemory memory = GuestMemory.wrap(new MemoryRegion[] {
            new MemoryRegion(0, REGION, 0x7000_0000L, 0), new MemoryRegion(0x1_0000_0000L, REGION, 0x7100_0000L, 0)},
            new MemorySegment[] {a, b});
        try (GuestUmem umem = GuestUmem.map(memory, HOST))
        {
            // own chunks first, rounded up to pages; then each region, in order
            assertThat(umem.offsetOf(a.address(), 8)).isEqualTo(3 * MemoryMap.PAGE_BYTES);
            assertThat(umem.offsetOf(b.address() + 100, 8)).isEqualTo(3 * MemoryMap.PAGE_BYTES + REGION + 100);
            a.set(JAVA_LONG_UNALIGNED, 4000, 0x1122334455667788L);
            b.set(JAVA_LONG_UNALIGNED, REGION - 8, -2L);
            final MemorySegment all = umem.segment();
            assertThat(all.get(JAVA_LONG_UNALIGNED, umem.offsetOf(a.address() + 4000, 8))).isEqualTo(0x1122334455667788L);
            assertThat(all.get(JAVA_LONG_UNALIGNED, umem.offsetOf(b.address() + REGION - 8, 8))).isEqualTo(-2L);
            // and the other way: what the kernel writes into the UMEM, the guest sees
            all.set(JAVA_LONG_UNALIGNED, umem.offsetOf(b.address() + 64, 8), 42L);
            assertThat(b.get(JAVA_LONG_UNALIGNED, 64)).isEqualTo(42L);
            // a buffer must lie whole in one region
            assertThat(umem.offsetOf(a.address() + REGION - 8, 9)).isEqualTo(-1);
            // (the two mappings may lie next to each other in the daemon: below and above both)
            assertThat(umem.offsetOf(Math.min(a.address(), b.address()) - 1, 1)).isEqualTo(-1);
            assertThat(umem.offsetOf(Math.max(a.address(), b.address()) + REGION, 1)).isEqualTo(-1);
            assertThat(umem.offsetOf(a.address(), -1)).isEqualTo(-1);
            assertThat(umem.memory()).isSameAs(memory);
        }
        memory.close();
        assertThat(memory.isMapped()).isFalse();
    }

    @Test
    void shouldRefuseMemoryThatIsNotShared()
    {
        final MemorySegment anonymous = MemoryMap.mmap(REGION, MemoryMap.PROT_READ | MemoryMap.PROT_WRITE,
            MemoryMap.MAP_PRIVATE | MemoryMap.MAP_ANONYMOUS, -1, 0).reinterpret(REGION);
        mapped.add(anonymous);
        final GuestMemory memory = GuestMemory.wrap(new MemoryRegion[] {new MemoryRegion(0, REGION, 0x7000_0000L, 0)},
            new MemorySegment[] {anonymous});
        assertThatThrownBy(() -> GuestUmem.map(memory, HOST)).hasMessageContaining("mremap alias of guest memory region 0");
        // the reference it took is given back
        memory.close();
        assertThat(memory.isMapped()).isFalse();
    }

    @Test
    void shouldFindEveryLentOffsetOnceWhateverTheOrder()
    {
        final OffsetTable table = new OffsetTable(512);
        final Map<Long, Integer> expected = new HashMap<>();
        final Random random = new Random(16);
        for (int round = 0; round < 20_000; round++)
        {
            if (expected.size() < 512 && (expected.isEmpty() || random.nextBoolean()))
            {
                final long offset = 4096 + random.nextInt(1 << 20) * 2L;
                if (!expected.containsKey(offset))
                {
                    table.put(offset, round);
                    expected.put(offset, round);
                }
            }
            else
            {
                final Long offset = expected.keySet().iterator().next();
                assertThat(table.remove(offset)).isEqualTo(expected.remove(offset));
                assertThat(table.remove(offset)).isEqualTo(-1);
            }
            assertThat(table.size()).isEqualTo(expected.size());
        }
        for (final Map.Entry<Long, Integer> entry : expected.entrySet())
        {
            assertThat(table.remove(entry.getKey())).isEqualTo(entry.getValue());
        }
        assertThat(table.remove(4096)).isEqualTo(-1);
    }

    private MemorySegment shared()
    {
        final int fd = MemFd.create("guest", REGION);
        assertThat(fd).isPositive();
        final MemorySegment segment = MemoryMap.mmap(REGION, MemoryMap.PROT_READ | MemoryMap.PROT_WRITE, MemoryMap.MAP_SHARED, fd, 0)
            .reinterpret(REGION);
        FileIo.close(fd);
        mapped.add(segment);
        return segment;
    }
}
