package io.vplane.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigLoaderTest
{
    @TempDir
    Path dir;

    @Test
    void shouldReadEverySettingFromTheFile() throws IOException
    {
        final Path file = dir.resolve("vplane.yaml");
        Files.writeString(file, """
            daemon:
              runDir: /run/vplane
              drainTimeoutMs: 1_000
              logLevel: debug
            management:
              enabled: false
              bindAddress: 0.0.0.0
              httpPort: 0
            counters:
              fileName: c.dat
              maxCounters: 64
            pools:
              blk:
                workers: 3
                cpus: [4, 5, 6]
                queuesPerWorker: 1
                batch: 8
                dedicated: true
                idle: {strategy: yield, maxSpins: 1, maxYields: 2, minParkNs: 3, maxParkNs: 4}
                ringSize: 64
                inboxSize: 16
                io: {threads: 2, cpus: [1]}
            devices:
              sample:
                - name: disk.1
                  size: 2
                - name: lo_2
            """);

        final VplaneConfig config = ConfigLoader.load(file, SampleSections.ALL);

        assertThat(config.daemon()).isEqualTo(new DaemonConfig("/run/vplane", 1000, LogLevel.DEBUG, "", java.util.List.of(), "", java.util.List.of()));
        assertThat(config.management()).isEqualTo(new ManagementConfig(false, "", false, "0.0.0.0", 0, "", "", ""));
        assertThat(config.counters()).isEqualTo(new CountersConfig("c.dat", 64));
        assertThat(config.pool("blk")).isEqualTo(new PoolConfig(
            "blk", 3, List.of(4, 5, 6), 1, 8, true, new IdleConfig(IdleStrategyKind.YIELD, 1, 2, 3, 4), 64, 16,
            new IoThreadsConfig(2, List.of(1))));
        assertThat(config.pool("net")).isEqualTo(ConfigDefaults.pool("net"));
        assertThat(config.pool("vsock")).isEqualTo(ConfigDefaults.pool("vsock"));
        assertThat(config.section(SampleSections.DeviceList.class).devices()).containsExactly(
            new SampleSections.Device("disk.1", 2),
            new SampleSections.Device("lo_2", 1));
    }

    @Test
    void shouldTakePerPoolDefaultsForSettingsLeftOut()
    {
        final VplaneConfig config = ConfigLoader.parse("""
            pools:
              vsock:
                idle:
                  strategy: backoff
            """, "test.yaml");

        assertThat(config.pool("vsock").idle())
            .isEqualTo(new IdleConfig(IdleStrategyKind.BACKOFF, 0, 0, 1_000_000, 1_000_000));
        assertThat(config.pools()).containsOnlyKeys(VplaneConfig.DEVICE_TYPES);
    }

    @Test
    void shouldReportMissingFile()
    {
        final Path file = dir.resolve("nope.yaml");

        assertThatThrownBy(() -> ConfigLoader.load(file))
            .isInstanceOfSatisfying(ConfigException.class, ex ->
            {
                assertThat(ex.errors()).singleElement()
                    .hasToString(file + ": file does not exist");
                assertThat(ex).hasMessage("invalid configuration in " + file + " (1 error):\n" + file + ": file does not exist");
            });
    }

    @Test
    void shouldReadEmptyFileAsAllDefaults() throws IOException
    {
        final Path file = dir.resolve("empty.yaml");
        Files.writeString(file, "");

        assertThat(ConfigLoader.load(file)).isEqualTo(VplaneConfig.defaults());
    }

    @Test
    void shouldReadCommentOnlyTextAndEmptySectionsAsDefaults()
    {
        assertThat(ConfigLoader.parse("# nothing here\n", "c.yaml")).isEqualTo(VplaneConfig.defaults());
        assertThat(ConfigLoader.parse("daemon:\npools:\ndevices:\n  sample:\nextra:\n", "c.yaml", SampleSections.ALL))
            .isEqualTo(ConfigDefaults.config(SampleSections.ALL));
    }

    @Test
    void shouldHaveAllThreePoolsInDefaults()
    {
        assertThat(VplaneConfig.defaults().pools()).containsOnlyKeys("net", "blk", "vsock");
        assertThat(VplaneConfig.defaults().sections()).isEmpty();
        assertThat(ConfigDefaults.config(SampleSections.ALL).section(SampleSections.DeviceList.class).devices()).isEmpty();
    }

    @Test
    void shouldEmbedTheReferenceFileByteForByte() throws IOException
    {
        // Surefire runs in the module directory, where the reference file lives.
        final byte[] reference = Files.readAllBytes(Path.of("vplane.yaml"));
        try (InputStream in = ConfigLoader.class.getResourceAsStream(ConfigLoader.DEFAULT_RESOURCE))
        {
            assertThat(in).isNotNull();
            assertThat(in.readAllBytes()).isEqualTo(reference);
        }
    }

    @Test
    void shouldSpellOutEverySettingInTheReferenceFile() throws IOException
    {
        final String reference = Files.readString(Path.of("vplane.yaml"));
        final List<String> settings = List.of(
            "runDir:", "drainTimeoutMs:", "logLevel:", "enabled:", "bindAddress:", "httpPort:", "fileName:",
            "maxCounters:", "workers:", "cpus:", "queuesPerWorker:", "batch:", "dedicated:", "strategy:",
            "maxSpins:", "maxYields:", "minParkNs:", "maxParkNs:", "ringSize:", "inboxSize:", "name:", "type:",
            "queues:", "ratePerSec:", "antiSpoofing:", "proxyArp:", "proxyNd:", "macAgingMs:", "macTableSize:",
            "burstSize:", "maxFrameBytes:", "maxVlanTags:", "maxTableEntries:", "table:",
            "queues:", "ratePerSec:", "port:", "tenants:", "allow:", "disks:", "image:", "sizeBytes:",
            "readOnly:", "description:", "tenant:", "minBlockBytes:", "requireTls:", "certificateFile:",
            "privateKeyFile:", "clientCaFile:");

        assertThat(reference).contains(settings);
        assertThat(reference).contains("vplane config check", "SIGHUP", "vplane ctl reload");
    }
}
