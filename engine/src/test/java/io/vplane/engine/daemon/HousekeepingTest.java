package io.vplane.engine.daemon;

import io.vplane.config.HousekeepingConfig;
import io.vplane.engine.linux.CpuAffinity;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

class HousekeepingTest
{
    private static BitSet cpus(final int... cpus)
    {
        final BitSet set = new BitSet();
        for (final int cpu : cpus)
        {
            set.set(cpu);
        }
        return set;
    }

    @Test
    void shouldGiveTheOtherThreadsEveryAllowedCpuNoWorkerIsPinnedTo()
    {
        assertThat(Housekeeping.cpusFor(HousekeepingConfig.AUTO, cpus(2, 3), cpus(0, 1, 2, 3))).isEqualTo(cpus(0, 1));
    }

    @Test
    void shouldTakeTheConfiguredCpusThatAreAllowed()
    {
        assertThat(Housekeeping.cpusFor(new HousekeepingConfig(true, List.of(1, 7)), cpus(2), cpus(0, 1, 2, 3))).isEqualTo(cpus(1));
    }

    @Test
    void shouldLeaveThreadsAloneWhenOffWhenNoWorkerIsPinnedOrWhenNoCpuIsLeft()
    {
        assertThat(Housekeeping.cpusFor(new HousekeepingConfig(false, List.of()), cpus(1), cpus(0, 1))).isNull();
        assertThat(Housekeeping.cpusFor(HousekeepingConfig.AUTO, cpus(), cpus(0, 1))).isNull();
        assertThat(Housekeeping.cpusFor(HousekeepingConfig.AUTO, cpus(0, 1), cpus(0, 1))).isNull();
    }

    @Test
    void shouldMoveAnotherThreadOfTheProcessByItsThreadId() throws Exception
    {
        final BitSet allowed = CpuAffinity.allowedCpus();
        assertThat(allowed.cardinality()).isPositive();
        final int first = allowed.nextSetBit(0);
        final AtomicReference<String> tid = new AtomicReference<>();
        final Object hold = new Object();
        final Thread other = Thread.ofPlatform().start(() ->
        {
            try
            {
                tid.set(Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString());
                synchronized (hold)
                {
                    hold.wait(10_000);
                }
            }
            catch (final Exception ignore)
            {
                // the test fails on the tid below
            }
        });
        while (null == tid.get())
        {
            Thread.sleep(5);
        }

        assertThat(CpuAffinity.setThreadAffinity(Integer.parseInt(tid.get()), cpus(first))).isZero();
        final String status = Files.readString(Path.of("/proc/self/task", tid.get(), "status"));
        synchronized (hold)
        {
            hold.notifyAll();
        }
        other.join();

        assertThat(status).containsPattern("Cpus_allowed_list:\\s+" + first + "\\n");
    }
}
