package io.vplane.blockstore.device;

import io.vplane.engine.management.TuneView;
import io.vplane.engine.tune.TuneCriterion;
import io.vplane.engine.tune.TuneLoad;
import io.vplane.engine.tune.TuneSettings;
import io.vplane.engine.tune.Tuner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code vplane tune --type blk --load builtin} with a disk: the load is READs through the disk's
 * own queues and backend (its read counter moves by what the candidates served), each with a
 * latency, and the front ends it attached are gone after the run.
 */
class DiskTuneDriverTest
{
    /** Below the load's own 20,000: the rate asked is the rate offered. */
    private static final long RATE_PER_WORKER = 5_000;

    @TempDir
    Path runDir;

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS) // a hang guard: it took 44 s at a load average of 17
    void shouldDriveReadsThroughTheDiskQueuesAndBackendAndMeasureTheirLatency() throws Exception
    {
        try (NbdFixture fixture = NbdFixture.oneDisk(runDir, "d0", 4L << 20))
        {
            final long readBefore = fixture.counter(DiskMetrics.READ_BYTES);
            final long startNs = System.nanoTime();
            final Tuner.Result result = fixture.engine.tune(
                new TuneSettings("blk", List.of(1, 2), 400, TuneLoad.BUILTIN, TuneCriterion.THROUGHPUT_PER_CPU, true, false,
                    RATE_PER_WORKER),
                (candidate, remainingMs, trials) -> { });
            final double seconds = (System.nanoTime() - startNs) / 1e9;

            assertThat(result.load()).startsWith("built-in disk load: 10,000 reads/s of 4096 bytes")
                .as("two blk workers at the rate asked").contains("into d0 (2 queues)");
            // the load's token bucket starts empty, so it offers at most the rate over the time it ran
            assertThat(result.trials().stream().mapToLong(TuneView.Trial::requests).sum())
                .isLessThanOrEqualTo((long)Math.ceil(2 * RATE_PER_WORKER * seconds));
            assertThat(result.trials()).allSatisfy(trial ->
            {
                assertThat(trial.requests()).as("%s", trial).isPositive();
                assertThat(trial.latencySamples()).as("%s", trial).isPositive();
                assertThat(trial.latencyP50Us()).as("%s", trial).isPositive();
                assertThat(trial.latencyP99Us()).as("%s", trial).isGreaterThanOrEqualTo(trial.latencyP50Us());
                // both count completions in the same window, read microseconds apart (the polls count each read twice)
                assertThat(trial.requests()).as("requests served are the reads completed, once each: %s", trial)
                    .isBetween(trial.latencySamples() * 3 / 4 - 64, trial.latencySamples() * 5 / 4 + 64);
            });
            final long completed = result.trials().stream().mapToLong(TuneView.Trial::latencySamples).sum();
            assertThat(fixture.counter(DiskMetrics.READ_BYTES) - readBefore)
                .as("every read completed in the windows took 4 KiB from the backend")
                .isGreaterThanOrEqualTo(completed * DiskTuneDriver.READ_BYTES);
            assertThat(fixture.counter("vplane_nbd_request_errors_total")).isZero();
            assertThat(((DiskDevice)fixture.engine.device("d0")).disk().connections()).isZero();
            assertThat(fixture.engine.devices()).extracting(device -> device.name()).containsExactly("d0");
        }
    }
}
