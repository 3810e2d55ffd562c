package io.vplane.config;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class ConfigValidationTest
{
    private static final String SOURCE = "test.yaml";

    @Test
    void shouldSuggestClosestNameForUnknownKey()
    {
        final List<ConfigError> errors = errorsOf("""
            pools:
              net:
                workers: 2
                queuesPerWorkr: 4
            """);

        assertThat(errors).singleElement().satisfies(error ->
        {
            assertThat(error.line()).isEqualTo(4);
            assertThat(error.column()).isEqualTo(5);
            assertThat(error.path()).isEqualTo("pools.net.queuesPerWorkr");
            assertThat(error).hasToString(
                "test.yaml:4:5: pools.net.queuesPerWorkr: unknown setting 'queuesPerWorkr'; " +
                "did you mean 'queuesPerWorker'? (valid: workers, cpus, queuesPerWorker, batch, dedicated, idle, " +
                "ringSize, inboxSize, io, autoBalance)");
        });
    }

    @Test
    void shouldOmitSuggestionWhenNothingIsClose()
    {
        final List<ConfigError> errors = errorsOf("telemetry: on\n");

        assertThat(errors).singleElement().hasToString(
            "test.yaml:1:1: telemetry: unknown setting 'telemetry' (valid: daemon, management, counters, pools, devices, extra)");
    }

    @Test
    void shouldRejectUnknownPoolAndDeviceKind()
    {
        final List<ConfigError> errors = errorsOf("""
            pools:
              nett: {}
            devices:
              tap: []
            """);

        assertThat(errors).extracting(ConfigError::message).containsExactly(
            "unknown pool 'nett'; did you mean 'net'? (valid: net, blk, vsock)",
            "unknown device kind 'tap' (valid: sample, other)");
    }

    @Test
    void shouldNameExpectedTypeWhenValueHasWrongType()
    {
        final List<ConfigError> errors = errorsOf("""
            daemon:
              drainTimeoutMs: abc
            management:
              enabled: yes please
            pools:
              net:
                cpus: {first: 1}
                idle: fast
              blk:
                cpus: [1, x]
            """);

        assertThat(errors).extracting(ConfigError::toString).containsExactly(
            "test.yaml:2:19: daemon.drainTimeoutMs: expected an integer, got 'abc'",
            "test.yaml:4:12: management.enabled: expected true or false, got 'yes please'",
            "test.yaml:7:11: pools.net.cpus: expected a list of CPU numbers, got a mapping",
            "test.yaml:8:11: pools.net.idle: expected a mapping of settings, got 'fast'",
            "test.yaml:10:15: pools.blk.cpus[1]: expected a CPU number, got 'x'");
    }

    @Test
    void shouldRejectMissingValue()
    {
        assertThat(errorsOf("pools:\n  net:\n    workers:\n")).singleElement()
            .extracting(ConfigError::message).isEqualTo("expected an integer, got nothing");
    }

    @Test
    void shouldGiveAllowedRangeWhenValueIsOutOfRange()
    {
        final List<ConfigError> errors = errorsOf("""
            management:
              httpPort: 70000
            pools:
              net:
                queuesPerWorker: 8000000
                cpus: [1024]
                idle:
                  maxParkNs: 99999999999999999999999
            """);

        assertThat(errors).extracting(ConfigError::toString).containsExactly(
            "test.yaml:2:13: management.httpPort: 70000 is out of range; allowed 0..65535",
            "test.yaml:5:22: pools.net.queuesPerWorker: 8000000 is out of range; allowed 1..1024",
            "test.yaml:6:12: pools.net.cpus[0]: 1024 is out of range; allowed 0..1023",
            "test.yaml:8:18: pools.net.idle.maxParkNs: 99999999999999999999999 is out of range; allowed 1..10000000000");
    }

    @Test
    void shouldRequirePowerOfTwoForRingAndInboxSizes()
    {
        final List<ConfigError> errors = errorsOf("""
            pools:
              blk:
                ringSize: 1000
                inboxSize: 131072
            """);

        assertThat(errors).extracting(ConfigError::message).containsExactly(
            "ringSize 1000 must be a power of two between 64 and 1048576",
            "inboxSize 131072 must be a power of two between 16 and 65536");
    }

    @Test
    void shouldListAllowedIdleStrategiesForUnknownOne()
    {
        assertThat(errorsOf("pools:\n  vsock:\n    idle:\n      strategy: spin\n")).singleElement()
            .hasToString("test.yaml:4:17: pools.vsock.idle.strategy: unknown idle strategy 'spin'; " +
                "allowed: busy-spin, yield, backoff, park");
    }

    @Test
    void shouldAcceptLogLevelInAnyCaseAndStoreUpperCase()
    {
        assertThat(ConfigLoader.parse("daemon: {logLevel: Trace}", SOURCE).daemon().logLevel()).isEqualTo(LogLevel.TRACE);
        assertThat(errorsOf("daemon: {logLevel: verbose}")).singleElement()
            .extracting(ConfigError::message)
            .isEqualTo("unknown log level 'verbose'; allowed: ERROR, WARN, INFO, DEBUG, TRACE");
    }

    @Test
    void shouldReportYamlSyntaxErrorWithPosition()
    {
        final List<ConfigError> errors = errorsOf("""
            daemon:
              runDir: /tmp
             logLevel: INFO
            """);

        assertThat(errors).singleElement().satisfies(error ->
        {
            assertThat(error.source()).isEqualTo(SOURCE);
            assertThat(error.line()).isEqualTo(3);
            assertThat(error.column()).isPositive();
            assertThat(error.message()).startsWith("YAML syntax error: ");
            assertThat(error.toString()).startsWith("test.yaml:3:");
        });
    }

    @Test
    void shouldReportUnclosedQuoteAsSyntaxError()
    {
        assertThat(errorsOf("daemon:\n  runDir: \"/tmp\n")).singleElement()
            .extracting(ConfigError::message).asString()
            .contains("YAML syntax error", "quoted scalar");
    }

    @Test
    void shouldCollectAllErrorsOfAFile()
    {
        final String yaml = """
            daemon:
              drainTimeoutMs: -1
            counters:
              fileName: a/b
              maxCounts: 10
            pools:
              net:
                batch: 0
            """;

        final ConfigException ex = catchThrowableOfType(ConfigException.class, () ->
            ConfigLoader.parse(yaml, SOURCE, SampleSections.ALL));

        assertThat(ex.errors()).hasSize(4);
        assertThat(ex.getMessage()).isEqualTo(String.join("\n",
            "invalid configuration in test.yaml (4 errors):",
            "test.yaml:2:19: daemon.drainTimeoutMs: -1 is out of range; allowed 0..600000",
            "test.yaml:4:13: counters.fileName: must be a plain file name inside the run directory (no '/'), got 'a/b'",
            "test.yaml:5:3: counters.maxCounts: unknown setting 'maxCounts'; did you mean 'maxCounters'? " +
                "(valid: fileName, maxCounters)",
            "test.yaml:8:12: pools.net.batch: 0 is out of range; allowed 1..65536"));
    }

    @Test
    void shouldRejectDuplicateCpuWithinAPool()
    {
        assertThat(errorsOf("pools:\n  net:\n    cpus: [2, 3, 2]\n")).singleElement()
            .hasToString("test.yaml:3:18: pools.net.cpus[2]: CPU 2 is listed twice");
    }

    @Test
    void shouldAllowTheSameCpuInDifferentPools()
    {
        final VplaneConfig config = ConfigLoader.parse("pools:\n  net: {cpus: [2]}\n  blk: {cpus: [2]}\n", SOURCE);

        assertThat(config.pool("net").cpus()).containsExactly(2);
        assertThat(config.pool("blk").cpus()).containsExactly(2);
    }

    @Test
    void shouldRejectMinParkAboveMaxPark()
    {
        assertThat(errorsOf("pools:\n  net:\n    idle: {minParkNs: 5000000}\n")).singleElement()
            .satisfies(error ->
            {
                assertThat(error.path()).isEqualTo("pools.net.idle.minParkNs");
                assertThat(error.message()).isEqualTo("minParkNs 5000000 must not exceed maxParkNs 1000000");
            });
    }

    @Test
    void shouldRejectKeyGivenTwice()
    {
        assertThat(errorsOf("daemon:\n  logLevel: INFO\n  logLevel: WARN\n")).singleElement()
            .hasToString("test.yaml:3:3: daemon.logLevel: 'logLevel' is given twice; first at line 2");
    }

    @Test
    void shouldRejectEmptyBindAddressAndRootThatIsNotAMapping()
    {
        assertThat(errorsOf("management: {bindAddress: ''}")).singleElement()
            .extracting(ConfigError::message).asString().startsWith("must not be empty");
        assertThat(errorsOf("- a\n- b\n")).singleElement()
            .hasToString("test.yaml:1:1: expected a mapping of settings, got a list");
    }

    @Test
    void shouldReportDeviceNameUsedInTwoDeviceLists()
    {
        final List<ConfigError> errors = errorsOf("""
            devices:
              sample:
                - name: d0
              other:
                - name: d0
            """);

        assertThat(errors).singleElement().hasToString(
            "test.yaml:5:13: devices.other[0].name: device name 'd0' is used twice; first at line 3");
    }

    private static List<ConfigError> errorsOf(final String yaml)
    {
        final ConfigException ex = catchThrowableOfType(ConfigException.class, () ->
            ConfigLoader.parse(yaml, SOURCE, SampleSections.ALL));
        assertThat(ex).as("expected %s to be rejected", yaml).isNotNull();
        return ex.errors();
    }
}
