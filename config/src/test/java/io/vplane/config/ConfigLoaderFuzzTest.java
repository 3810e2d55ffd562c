package io.vplane.config;

import com.code_intelligence.jazzer.junit.FuzzTest;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzzed YAML into the config loader: it returns a configuration or throws a ConfigException that
 * names at least one problem with its place, nothing else; a configuration it accepts has every
 * daemon-wide setting inside its documented range and reads the same when parsed again.
 * Device sections are checked by their own modules' tests.
 */
class ConfigLoaderFuzzTest
{
    @FuzzTest(maxDuration = "30s")
    void shouldAcceptOnlyInRangeSettingsOrNameEveryProblem(final byte[] input)
    {
        final String text = new String(input, StandardCharsets.UTF_8);
        final VplaneConfig config;
        try
        {
            config = ConfigLoader.parse(text, "fuzz.yaml");
        }
        catch (final ConfigException ex)
        {
            assertThat(ex.errors()).isNotEmpty();
            assertThat(ex.errors()).allSatisfy(error ->
            {
                assertThat(error.line()).isNotNegative();
                assertThat(error.column()).isNotNegative();
                assertThat(error.message()).isNotBlank();
            });
            return;
        }
        assertDaemonWideSettingsInRange(config);
        assertThat(ConfigLoader.parse(text, "fuzz.yaml")).isEqualTo(config);
    }

    private static void assertDaemonWideSettingsInRange(final VplaneConfig config)
    {
        assertThat(config.daemon().drainTimeoutMs()).isBetween(0L, 600_000L);
        assertThat(config.management().httpPort()).isBetween(0, 65_535);
        assertThat(config.counters().maxCounters()).isBetween(64, 1_000_000);
        assertThat(config.pools().keySet()).isSubsetOf(VplaneConfig.DEVICE_TYPES);
        for (final PoolConfig pool : config.pools().values())
        {
            assertThat(pool.workers()).isBetween(1, 256);
            assertThat(pool.queuesPerWorker()).isBetween(1, 1024);
            assertThat(pool.batch()).isBetween(1, 65_536);
            assertThat(pool.ringSize()).isBetween(64, 1_048_576);
            assertThat(Integer.bitCount(pool.ringSize())).isEqualTo(1);
            assertThat(pool.inboxSize()).isBetween(16, 65_536);
            assertThat(Integer.bitCount(pool.inboxSize())).isEqualTo(1);
            assertThat(pool.cpus()).allSatisfy(cpu -> assertThat(cpu).isBetween(0, 1023)).doesNotHaveDuplicates();
            assertThat(pool.idle().minParkNs()).isPositive().isLessThanOrEqualTo(pool.idle().maxParkNs());
        }
    }
}
