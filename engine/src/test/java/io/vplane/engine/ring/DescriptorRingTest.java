package io.vplane.engine.ring;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DescriptorRingTest
{
    @Test
    void shouldDeliverDescriptorsInOrderUpToTheLimit()
    {
        final List<Long> seen = new ArrayList<>();
        final DescriptorRing ring = new DescriptorRing(64, seen::add);
        for (long i = 0; i < 10; i++)
        {
            assertThat(ring.offer(i * 1_000_000_007L)).isTrue();
        }

        assertThat(ring.drain(4)).isEqualTo(4);
        assertThat(ring.size()).isEqualTo(6);
        assertThat(ring.drain(100)).isEqualTo(6);

        assertThat(seen).containsExactly(0L, 1_000_000_007L, 2_000_000_014L, 3_000_000_021L, 4_000_000_028L,
            5_000_000_035L, 6_000_000_042L, 7_000_000_049L, 8_000_000_056L, 9_000_000_063L);
    }

    @Test
    void shouldRefuseWhenFullAndAcceptAgainAfterDrainAcrossTheWrapOfferingOnItsProducer()
    {
        final long[] expected = {0};
        final DescriptorRing ring = new DescriptorRing(64, d -> assertThat(d).isEqualTo(expected[0]++));
        long next = 0;
        for (int round = 0; round < 10; round++)
        {
            while (DescriptorRing.offer(ring.producer(), next))
            {
                next++;
            }
            // Agrona may keep one record slot back at the wrap
            assertThat(ring.size()).isBetween(63, 64);
            ring.drain(40);
        }
        final long before = expected[0];
        assertThat(ring.drain(1_000)).isEqualTo((int)(next - before));
        assertThat(expected[0]).isEqualTo(next);
    }

    @Test
    void shouldRejectCapacityThatIsNotAPowerOfTwo()
    {
        assertThatThrownBy(() -> new DescriptorRing(100, d -> { })).hasMessageContaining("power of two");
    }
}
