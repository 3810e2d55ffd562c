package io.vplane.engine.loopback;

import io.vplane.config.ConfigDiff;
import io.vplane.config.ConfigError;
import io.vplane.config.ConfigException;
import io.vplane.config.SettingChange;
import io.vplane.config.VplaneConfig;
import io.vplane.engine.device.DeviceKinds;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.tuple;

class LoopbackSectionTest
{
    private static final String SOURCE = "test.yaml";

    @Test
    void shouldReadDevicesWithDefaultsForSettingsLeftOut()
    {
        final VplaneConfig config = parse("""
            devices:
              loopback:
                - name: disk.1
                  type: blk
                  queues: 2
                  ratePerSec: 0
                - name: lo_2
            """);

        assertThat(config.section(LoopbackDevicesConfig.class).devices()).containsExactly(
            new LoopbackDeviceConfig("disk.1", "blk", 2, 0),
            new LoopbackDeviceConfig("lo_2", "net", 4, 10_000));
        assertThat(DeviceKinds.load().defaults().section(LoopbackDevicesConfig.class).devices()).isEmpty();
    }

    @Test
    void shouldRejectUnknownKeyInListItem()
    {
        final List<ConfigError> errors = errorsOf("""
            devices:
              loopback:
                - name: lo0
                  queue: 2
            """);

        assertThat(errors).singleElement().satisfies(error ->
        {
            assertThat(error.path()).isEqualTo("devices.loopback[0].queue");
            assertThat(error.message()).startsWith("unknown setting 'queue'; did you mean 'queues'?");
        });
    }

    @Test
    void shouldRejectDuplicateDeviceNames()
    {
        final List<ConfigError> errors = errorsOf("""
            devices:
              loopback:
                - name: lo0
                - name: lo0
                  queues: 2
            """);

        assertThat(errors).singleElement().hasToString(
            "test.yaml:4:13: devices.loopback[1].name: device name 'lo0' is used twice; first at line 3");
    }

    @Test
    void shouldRejectDeviceTypeThatNamesNoPool()
    {
        assertThat(errorsOf("devices:\n  loopback:\n    - {name: d0, type: disk}\n")).singleElement()
            .satisfies(error ->
            {
                assertThat(error.path()).isEqualTo("devices.loopback[0].type");
                assertThat(error.message()).isEqualTo("type 'disk' names no pool; allowed: net, blk, vsock");
            });
    }

    @Test
    void shouldRejectMissingAndMalformedDeviceNames()
    {
        final List<ConfigError> errors = errorsOf("""
            devices:
              loopback:
                - queues: 2
                - name: has space
                - name: abcdefghijabcdefghijabcdefghijabc
            """);

        assertThat(errors).extracting(ConfigError::path, ConfigError::message).containsExactly(
            tuple("devices.loopback[0]", "missing required setting 'name'"),
            tuple("devices.loopback[1].name",
                "device name 'has space' is not allowed; use 1 to 32 of A-Z a-z 0-9 _ . -"),
            tuple("devices.loopback[2].name",
                "device name 'abcdefghijabcdefghijabcdefghijabc' is not allowed; use 1 to 32 of A-Z a-z 0-9 _ . -"));
    }

    @Test
    void shouldReportAddedRemovedAndChangedDevicesAsLive()
    {
        final VplaneConfig running = parse("""
            devices:
              loopback:
                - {name: lo0, type: net, queues: 4, ratePerSec: 10000}
                - {name: lo1, type: blk}
            """);
        final VplaneConfig next = parse("""
            devices:
              loopback:
                - {name: lo0, type: net, queues: 8, ratePerSec: 0}
                - {name: lo2, type: vsock, queues: 1}
            """);

        assertThat(ConfigDiff.between(running, next)).containsExactly(
            new SettingChange("devices.loopback.lo0",
                "type=net queues=4 ratePerSec=10000", "type=net queues=8 ratePerSec=0", true),
            new SettingChange("devices.loopback.lo1", "type=blk queues=4 ratePerSec=10000", "absent", true),
            new SettingChange("devices.loopback.lo2", "absent", "type=vsock queues=1 ratePerSec=10000", true));
    }

    private static VplaneConfig parse(final String yaml)
    {
        return DeviceKinds.load().parse(yaml, SOURCE);
    }

    private static List<ConfigError> errorsOf(final String yaml)
    {
        final ConfigException ex = catchThrowableOfType(ConfigException.class, () -> parse(yaml));
        assertThat(ex).as("expected %s to be rejected", yaml).isNotNull();
        return ex.errors();
    }
}
