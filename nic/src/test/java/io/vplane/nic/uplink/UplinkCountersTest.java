package io.vplane.nic.uplink;

import io.vplane.engine.counters.Counters;
import io.vplane.engine.counters.CountersFile;
import io.vplane.engine.stat.Sample;
import io.vplane.engine.stat.StatTable;
import io.vplane.nic.NetDeviceKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The zero-copy share gauge {@code vplane stat} shows: received frames delivered from a guest's buffer, of all received. */
class UplinkCountersTest
{
    @TempDir
    Path dir;

    @Test
    void shouldShowTheShareAndTheReceivePathsInVplaneStat()
    {
        try (CountersFile file = CountersFile.create(dir.resolve("counters.dat"), 64);
            UplinkCounters counters = new UplinkCounters(file.counters(), "ax0"))
        {
            final Sample before = Sample.read(file.reader(), 1, 0, 0, 0);
            counters.zeroCopyPending = 990;
            counters.copyPending = 10;
            counters.flush();
            final Sample after = Sample.read(file.reader(), 1, 0, 1000, 1_000_000_000L);

            final String text = StatTable.render("f", new NetDeviceKind().statSections(), before, after);

            assertThat(text).containsPattern("Uplinks\n +uplink +zero-copy %\n +ax0 +99\n");
            assertThat(text).containsPattern(" +ax0 +copy +10\\.0 +10\n");
            assertThat(text).containsPattern(" +ax0 +zero_copy +990\\.0 +990\n");
        }
    }

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
