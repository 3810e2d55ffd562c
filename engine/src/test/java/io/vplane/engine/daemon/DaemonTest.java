package io.vplane.engine.daemon;

import io.vplane.engine.management.ReloadReport;
import io.vplane.engine.management.StatusView;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DaemonTest
{
    @TempDir
    Path tmp;

    @Test
    void shouldRefuseASecondDaemonOnTheSameRunDirectoryAndCleanUpOnClose() throws Exception
    {
        final Path config = writeConfig(2, 10_000);

        try (Daemon daemon = Daemon.start(config))
        {
            final RunDirectory run = daemon.runDirectory();
            assertThat(run.pidFile()).content().isEqualToIgnoringNewLines(Long.toString(ProcessHandle.current().pid()));
            assertThat(run.managementSocket()).exists();
            assertThat(run.managementUrlFile()).doesNotExist();
            assertThat(run.countersFile("counters.dat")).exists();

            assertThatThrownBy(() -> Daemon.start(config))
                .hasMessageContaining("another vplane daemon (pid " + ProcessHandle.current().pid() + ") is already running")
                .hasMessageContaining(run.dir().toString());
        }

        try (var files = Files.list(tmp.resolve("run")))
        {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void shouldApplyLiveSettingsOnReloadAndReportTheRest() throws Exception
    {
        final Path config = writeConfig(2, 10_000);
        try (Daemon daemon = Daemon.start(config))
        {
            Files.writeString(config, Files.readString(config)
                .replace("queuesPerWorker: 2", "queuesPerWorker: 1")
                .replace("inboxSize: 256", "inboxSize: 512")
                .replace("ratePerSec: 10000", "ratePerSec: 20000"));

            final ReloadReport report = daemon.reload();

            assertThat(report.changes()).extracting(ReloadReport.Change::path, ReloadReport.Change::outcome).contains(
                org.assertj.core.groups.Tuple.tuple("pools.blk.queuesPerWorker", ReloadReport.Outcome.APPLIED),
                org.assertj.core.groups.Tuple.tuple("pools.blk.inboxSize", ReloadReport.Outcome.NEEDS_RESTART),
                org.assertj.core.groups.Tuple.tuple("devices.loopback.lo1", ReloadReport.Outcome.APPLIED));
            assertThat(daemon.placement("blk").queuesPerWorker()).isEqualTo(1);
            assertThat(daemon.placement("blk").workers().getFirst().groups()).hasSize(4);
            assertThat(daemon.config().pool("blk").inboxSize()).isEqualTo(256);
        }
    }

    @Test
    void shouldRefuseAReloadOfABrokenFileAndKeepRunning() throws Exception
    {
        final Path config = writeConfig(2, 10_000);
        try (Daemon daemon = Daemon.start(config))
        {
            Files.writeString(config, "pools:\n  blk:\n    queuesPerWorkr: 3\n");

            assertThatThrownBy(daemon::reload)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("running config is unchanged")
                .hasMessageContaining("queuesPerWorker");
            assertThat(daemon.placement("blk").queuesPerWorker()).isEqualTo(2);
        }
    }

    @Test
    void shouldAddAndRemoveDevicesLiveAndKeepThemAcrossReloads() throws Exception
    {
        final Path config = writeConfig(2, 10_000);
        try (Daemon daemon = Daemon.start(config))
        {
            final StatusView.DeviceView added = daemon.addDevice("loopback", "{\"name\":\"lo9\",\"type\":\"net\",\"queues\":3}");

            assertThat(added).isEqualTo(new StatusView.DeviceView("lo9", "loopback", "net", 3));
            assertThat(daemon.placement("net").workers().getFirst().groups()).hasSize(2);
            daemon.reload();
            assertThat(daemon.devices()).extracting(StatusView.DeviceView::name).containsExactly("lo9", "lo1");

            assertThatThrownBy(() -> daemon.addDevice("loopback", "{\"name\":\"lo9\"}")).hasMessageContaining("already running");
            assertThatThrownBy(() -> daemon.addDevice("loopback", "{\"name\":\"lo8\",\"queues\":0}"))
                .hasMessageContaining("devices.loopback").hasMessageContaining("out of range");
            assertThatThrownBy(() -> daemon.addDevice("tap", "{\"name\":\"t0\"}")).hasMessageContaining("tap");
            assertThatThrownBy(() -> daemon.addDevice("loopback:\n  x", "{}")).hasMessageContaining("not a device kind");

            daemon.removeDevice("lo9");
            daemon.removeDevice("lo1");
            assertThat(daemon.devices()).isEmpty();
            assertThatThrownBy(() -> daemon.removeDevice("lo1")).hasMessageContaining("no device lo1");
        }
    }

    private Path writeConfig(final int queuesPerWorker, final long rate) throws Exception
    {
        final Path file = tmp.resolve("vplane.yaml");
        Files.writeString(file, """
            daemon: {runDir: %s, drainTimeoutMs: 2000}
            management: {httpPort: 0}
            pools:
              blk:
                queuesPerWorker: %d
                inboxSize: 256
                idle: {strategy: backoff, maxSpins: 10, maxYields: 5, minParkNs: 1000, maxParkNs: 1000000}
            devices:
              loopback:
                - {name: lo1, type: blk, queues: 4, ratePerSec: %d}
            """.formatted(tmp.resolve("run"), queuesPerWorker, rate));
        return file;
    }
}
