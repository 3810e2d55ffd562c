package io.vplane.nic.uplink;

import io.vplane.engine.counters.Counters;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The zero-copy share gauge {@code vplane stat} shows: received frames delivered from a guest's buffer, of all received. */
class UplinkCountersTest
{
    @Test
    void shouldShowTheZeroCopyShareOfAllReceivedFramesSinceTheStart()
    {
        try (UplinkCounters counters = new UplinkCounters(Counters.inMemory(64), "ax0"))
        {
            counters.flush();
            assertThat(counters.zeroCopyShare()).isZero();
            counters.zeroCopyPending = 95;
            counters.elsewherePending = 2;
            counters.copyPending = 3;
            counters.flush();
            assertThat(counters.zeroCopyShare()).isEqualTo(95);
            // a cycle without received frames leaves it; copies lower it
            counters.flush();
            assertThat(counters.zeroCopyShare()).isEqualTo(95);
            counters.copyPending = 100;
            counters.flush();
            assertThat(counters.zeroCopyShare()).isEqualTo(47);
        }
    }
}
