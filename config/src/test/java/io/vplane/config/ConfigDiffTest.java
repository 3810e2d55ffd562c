package io.vplane.config;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ConfigDiffTest
{
    private static final String RUNNING = """
        daemon: {logLevel: INFO}
        pools:
          net: {cpus: [0, 1]}
        devices:
          loopback:
            - {name: lo0, type: net, queues: 4, ratePerSec: 10000}
            - {name: lo1, type: blk}
        """;

    @Test
    void shouldFindNoChangesBetweenEqualConfigs()
    {
        assertThat(ConfigDiff.between(parse(RUNNING), parse(RUNNING))).isEmpty();
        assertThat(ConfigDiff.between(VplaneConfig.defaults(), VplaneConfig.defaults())).isEmpty();
    }

    @Test
    void shouldMarkQueueShapeLogLevelAndDrainAsLive()
    {
        final String next = """
            daemon: {logLevel: debug, drainTimeoutMs: 100}
            pools:
              net: {cpus: [2], batch: 64}
              blk: {queuesPerWorker: 1}
            devices:
              loopback:
                - {name: lo0, type: net, queues: 4, ratePerSec: 10000}
                - {name: lo1, type: blk}
            """;

        assertThat(ConfigDiff.between(parse(RUNNING), parse(next))).containsExactly(
            new SettingChange("daemon.drainTimeoutMs", "5000", "100", true),
            new SettingChange("daemon.logLevel", "INFO", "DEBUG", true),
            new SettingChange("pools.net.cpus", "[0, 1]", "[2]", true),
            new SettingChange("pools.net.batch", "32", "64", true),
            new SettingChange("pools.blk.queuesPerWorker", "4", "1", true));
    }

    @Test
    void shouldMarkThreadRingAndSocketSettingsAsNeedingRestart()
    {
        final String next = RUNNING + """
            management: {httpPort: 9999}
            counters: {maxCounters: 128}
            """;
        final String nextPools = next.replace("net: {cpus: [0, 1]}",
            "net: {cpus: [0, 1], workers: 2, ringSize: 1024, idle: {strategy: busy-spin}}");

        assertThat(ConfigDiff.between(parse(RUNNING), parse(nextPools))).containsExactly(
            new SettingChange("management.httpPort", "9780", "9999", false),
            new SettingChange("counters.maxCounters", "4096", "128", false),
            new SettingChange("pools.net.workers", "1", "2", false),
            new SettingChange("pools.net.idle.strategy", "backoff", "busy-spin", false),
            new SettingChange("pools.net.ringSize", "4096", "1024", false));
    }

    @Test
    void shouldReportAddedRemovedAndChangedDevicesAsLive()
    {
        final String next = """
            daemon: {logLevel: INFO}
            pools:
              net: {cpus: [0, 1]}
            devices:
              loopback:
                - {name: lo0, type: net, queues: 8, ratePerSec: 0}
                - {name: lo2, type: vsock, queues: 1}
            """;

        final List<SettingChange> changes = ConfigDiff.between(parse(RUNNING), parse(next));

        assertThat(changes).containsExactly(
            new SettingChange("devices.loopback.lo0",
                "type=net queues=4 ratePerSec=10000", "type=net queues=8 ratePerSec=0", true),
            new SettingChange("devices.loopback.lo1", "type=blk queues=4 ratePerSec=10000", "absent", true),
            new SettingChange("devices.loopback.lo2", "absent", "type=vsock queues=1 ratePerSec=10000", true));
    }

    @Test
    void shouldSeeOnlyTheDevicesWhenReloadingTheEmbeddedDefaultOverCodeDefaults()
    {
        final List<SettingChange> changes = ConfigDiff.between(VplaneConfig.defaults(), ConfigLoader.loadDefault());

        assertThat(changes).first().isEqualTo(
            new SettingChange("devices.loopback.lo0", "absent", "type=net queues=4 ratePerSec=10000", true));
        assertThat(changes).extracting(SettingChange::path).containsExactly("devices.loopback.lo0", "devices.vhostUser.vm0", "nbd.disks.disk0", "nbd.tenants.local");
    }

    private static VplaneConfig parse(final String yaml)
    {
        return ConfigLoader.parse(yaml, "test.yaml");
    }
}
