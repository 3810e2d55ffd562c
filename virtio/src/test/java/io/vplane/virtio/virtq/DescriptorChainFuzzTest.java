package io.vplane.virtio.virtq;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.vplane.virtio.memory.GuestMemory;
import io.vplane.virtio.memory.MemoryRegion;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A hostile driver's rings: the input is the first bytes of guest memory (descriptor table, avail
 * ring, indirect tables), the device takes every head it offers and walks its chain. Every walk
 * must end in OK or an error code, and every buffer of an OK chain must lie in one region.
 * <pre>
 *   input: 0 size exponent (queue size 1..64) | 1 event-idx | 2..3 base (LE) | 4.. region 0 bytes
 *   region 0: gpa 0x0000, 8 KiB, rings at desc 0x000, avail 0x400, used 0x600
 *   region 1: gpa 0x2000, 4 KiB, right after region 0, so a buffer can straddle the two
 * </pre>
 */
class DescriptorChainFuzzTest
{
    private static final long REGION0_GPA = 0x0000;
    private static final long REGION1_GPA = 0x2000;
    private static final long REGION0_BYTES = 0x2000;
    private static final long REGION1_BYTES = 0x1000;
    private static final long UADDR = 0x7f00_0000_0000L;
    private static final long DESC = 0x000;
    private static final long AVAIL = 0x400;
    private static final long USED = 0x600;
    private static final int HEADER_BYTES = 4;
    private static final Set<Integer> RESULTS = Set.of(
        SplitVirtQueue.OK, SplitVirtQueue.ERR_HEAD_OUT_OF_RANGE, SplitVirtQueue.ERR_NEXT_OUT_OF_RANGE,
        SplitVirtQueue.ERR_CHAIN_TOO_LONG, SplitVirtQueue.ERR_ADDRESS, SplitVirtQueue.ERR_INDIRECT);

    @FuzzTest(maxDuration = "30s")
    void shouldWalkEveryChainInBoundsOrNameItsFault(final byte[] input)
    {
        if (input.length < HEADER_BYTES)
        {
            return;
        }
        final int size = 1 << Math.floorMod(input[0], 7); // 1..64: rings and tables fit in region 0
        final boolean eventIdx = (input[1] & 1) != 0;
        final int base = (input[2] & 0xFF) | (input[3] & 0xFF) << 8;
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment ram0 = arena.allocate(REGION0_BYTES, 4096);
            final MemorySegment ram1 = arena.allocate(REGION1_BYTES, 4096);
            MemorySegment.copy(input, HEADER_BYTES, ram0, ValueLayout.JAVA_BYTE, 0,
                (int)Math.min(input.length - HEADER_BYTES, REGION0_BYTES));
            final GuestMemory memory = GuestMemory.wrap(new MemoryRegion[] {
                new MemoryRegion(REGION0_GPA, REGION0_BYTES, UADDR, 0),
                new MemoryRegion(REGION1_GPA, REGION1_BYTES, UADDR + REGION0_BYTES, 0)}, new MemorySegment[] {ram0, ram1});
            final SplitVirtQueue queue = SplitVirtQueue.create(memory, size, UADDR + DESC, UADDR + AVAIL, UADDR + USED, base, -1, eventIdx);
            queue.suppressKicks();
            drain(queue, size);
            memory.close();
        }
    }

    private static void drain(final SplitVirtQueue queue, final int size)
    {
        final int available = queue.available();
        if (available == SplitVirtQueue.ERR_AVAIL_INDEX)
        {
            return;
        }
        assertThat(available).isBetween(0, size);
        for (int i = 0; i < available; i++)
        {
            final int head = queue.takeHead();
            assertThat(head).isBetween(0, 0xFFFF);
            final DescriptorChain chain = queue.chain();
            final int result = queue.walk(head, chain);
            assertThat(RESULTS).contains(result);
            if (result == SplitVirtQueue.OK)
            {
                assertChainLiesInGuestMemory(chain, size);
                queue.addUsed(head, (int)Math.min(chain.totalLength(), Integer.MAX_VALUE));
            }
        }
        queue.publishUsed();
        assertThat(queue.notifyIfWanted()).isFalse();
        assertThat(queue.usedIndex()).isBetween(0, 0xFFFF);
    }

    private static void assertChainLiesInGuestMemory(final DescriptorChain chain, final int size)
    {
        assertThat(chain.count()).isBetween(1, size);
        long total = 0;
        for (int b = 0; b < chain.count(); b++)
        {
            final long length = chain.length(b) & 0xFFFF_FFFFL;
            assertThat(chain.offset(b)).isNotNegative();
            assertThat(chain.offset(b) + length).isLessThanOrEqualTo(chain.segment(b).byteSize());
            total += length;
        }
        assertThat(chain.totalLength()).isEqualTo(total);
    }
}
