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
          sample:
            - {name: lo0, size: 4}
            - {name: lo1}
        """;

    @Test
    void shouldFindNoChangesBetweenEqualConfigs()
    {
        assertThat(ConfigDiff.between(parse(RUNNING), parse(RUNNING))).isEmpty();
        assertThat(ConfigDiff.between(VplaneConfig.defaults(), VplaneConfig.defaults())).isEmpty();
        final VplaneConfig defaults = ConfigDefaults.config(SampleSections.ALL);
        assertThat(ConfigDiff.between(defaults, defaults)).isEmpty();
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
              sample:
                - {name: lo0, size: 4}
                - {name: lo1}
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
              sample:
                - {name: lo0, size: 8}
                - {name: lo2, size: 2}
            """;

        final List<SettingChange> changes = ConfigDiff.between(parse(RUNNING), parse(next));

        assertThat(changes).containsExactly(
            new SettingChange("devices.sample.lo0", "size=4", "size=8", true),
            new SettingChange("devices.sample.lo1", "size=1", "absent", true),
            new SettingChange("devices.sample.lo2", "absent", "size=2", true));
    }

    @Test
    void shouldTakeEachSectionsOwnRuleForWhatIsLive()
    {
        final VplaneConfig running = parse(RUNNING);
        final VplaneConfig next = parse(RUNNING + "extra: {port: 8080, limit: 20}\n");

        assertThat(ConfigDiff.between(running, next)).containsExactly(
            new SettingChange("extra.port", "80", "8080", false),
            new SettingChange("extra.limit", "10", "20", true));
        assertThat(running.sections().live(next.sections()).get("extra")).isEqualTo(new SampleSections.ExtraConfig(80, 20));
        assertThat(running.section(SampleSections.ExtraConfig.class)).isEqualTo(new SampleSections.ExtraConfig(80, 10));
    }

    private static VplaneConfig parse(final String yaml)
    {
        return ConfigLoader.parse(yaml, "test.yaml", SampleSections.ALL);
    }
}
