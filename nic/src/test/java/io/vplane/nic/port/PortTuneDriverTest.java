package io.vplane.nic.port;

import io.vplane.engine.Engine;
import io.vplane.engine.counters.Counters;
import io.vplane.engine.device.DeviceKinds;
import io.vplane.engine.errors.ErrorLog;
import io.vplane.engine.management.StatusView;
import io.vplane.engine.tune.TuneCriterion;
import io.vplane.engine.tune.TuneLoad;
import io.vplane.engine.tune.TuneSettings;
import io.vplane.engine.tune.Tuner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code vplane tune --type net --load builtin}: the candidates are measured under frames a guest in
 * the daemon's process sends through a temporary vhost-user port and receives back, each with its
 * latency; the port and its socket are gone after the run.
 */
class PortTuneDriverTest
{
    @TempDir
    Path sockets;

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldMeasureTheCandidatesUnderFramesThroughARealPortAndRemoveItAfter() throws Exception
    {
        final Counters counters = Counters.inMemory(2048);
        try (Engine engine = new Engine(DeviceKinds.load().parse("""
            daemon: {socketDir: '%s'}
            pools:
              net: {workers: 1, queuesPerWorker: 2}
            """.formatted(sockets), "test.yaml"), counters, new ErrorLog(counters)))
        {
            final List<List<String>> devicesDuringRun = new ArrayList<>();
            final Tuner.Result result = engine.tune(
                new TuneSettings("net", List.of(1, 2), 400, TuneLoad.BUILTIN, TuneCriterion.THROUGHPUT_PER_CPU, true, false),
                (candidate, remainingMs, trials) -> devicesDuringRun.add(engine.devices().stream().map(StatusView.DeviceView::name).toList()));

            assertThat(result.load()).startsWith("built-in guest on vhost-user port tune-net (1 queue pairs, guestTx loopback)");
            assertThat(devicesDuringRun).allSatisfy(names -> assertThat(names).containsExactly("tune-net"));
            assertThat(result.trials()).allSatisfy(trial ->
            {
                assertThat(trial.requests()).as("%s", trial).isPositive();
                assertThat(trial.latencySamples()).as("frames back at the guest: %s", trial).isPositive();
                assertThat(trial.latencyP50Us()).as("%s", trial).isPositive();
                assertThat(trial.latencyP99Us()).as("%s", trial).isGreaterThanOrEqualTo(trial.latencyP50Us());
            });
            assertThat(engine.devices()).isEmpty();
            assertThat(Files.exists(sockets.resolve("tune-net.sock"))).isFalse();
        }
    }
}
