package io.vplane.nic.port;

import io.vplane.config.ConfigDiff;
import io.vplane.config.ConfigError;
import io.vplane.config.ConfigException;
import io.vplane.config.SettingChange;
import io.vplane.config.VplaneConfig;
import io.vplane.engine.device.DeviceKinds;
import io.vplane.nic.port.VhostUserPortConfig.GuestRx;
import io.vplane.nic.port.VhostUserPortConfig.GuestTx;
import io.vplane.nic.port.VhostUserPortConfig.Mode;
import io.vplane.virtio.memory.GuestMemoryLimits;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class VhostUserConfigTest
{
    private static final String SOURCE = "test.yaml";

    @Test
    void shouldBindAPortWithDefaultsForWhatItLeavesOut()
    {
        final VplaneConfig config = DeviceKinds.load().parse("""
            devices:
              vhostUser:
                - {name: vm1, socketPath: /tmp/vm1.sock}
                - {name: vm2, socketPath: /tmp/vm2.sock, queuePairs: 4, mac: "02:AA:BB:CC:DD:EE", guestTx: loopback}
                - {name: gen, socketPath: /tmp/gen.sock, guestRx: source, sourceFrameBytes: 1514}
            """, SOURCE);
        assertThat(config.section(VhostUserPortsConfig.class).ports()).containsExactly(
            new VhostUserPortConfig("vm1", "/tmp/vm1.sock", Mode.SERVER, 1, "52:54:00:00:00:01", GuestTx.SINK, GuestRx.IDLE, 60, "vswitch0"),
            new VhostUserPortConfig("vm2", "/tmp/vm2.sock", Mode.SERVER, 4, "02:aa:bb:cc:dd:ee", GuestTx.LOOPBACK, GuestRx.IDLE, 60, "vswitch0"),
            new VhostUserPortConfig("gen", "/tmp/gen.sock", Mode.SERVER, 1, "52:54:00:00:00:01", GuestTx.SINK, GuestRx.SOURCE, 1514, "vswitch0"));
    }

    @Test
    void shouldBindGuestMemoryLimitsWithZeroForTheHostsRam()
    {
        final VplaneConfig config = DeviceKinds.load().parse("""
            devices:
              vhostUser:
                - {name: vm1, socketPath: /tmp/vm1.sock}
                - {name: vm2, socketPath: /tmp/vm2.sock, maxMemoryRegions: 1, maxRegionBytes: 1_073_741_824, maxGuestMemoryBytes: 0}
            """, SOURCE);
        final List<VhostUserPortConfig> ports = config.section(VhostUserPortsConfig.class).ports();
        final long ram = GuestMemoryLimits.hostRamBytes();

        assertThat(ports.get(0)).extracting(VhostUserPortConfig::maxMemoryRegions, VhostUserPortConfig::maxRegionBytes,
            VhostUserPortConfig::maxGuestMemoryBytes).containsExactly(8, 0L, 0L);
        assertThat(ports.get(0).memoryLimits()).isEqualTo(GuestMemoryLimits.defaults());
        assertThat(ports.get(1).memoryLimits()).isEqualTo(new GuestMemoryLimits(1, 1L << 30, ram));
    }

    @Test
    void shouldRejectGuestMemoryLimitsOutOfRange()
    {
        final List<ConfigError> errors = errorsOf("""
            devices:
              vhostUser:
                - {name: a, socketPath: /tmp/a.sock, maxMemoryRegions: 0, maxRegionBytes: -1}
                - {name: b, socketPath: /tmp/b.sock, maxMemoryRegions: 9, maxGuestMemoryBytes: 1_125_899_906_842_625}
            """);

        assertThat(errors).extracting(ConfigError::path).containsExactly(
            "devices.vhostUser[0].maxMemoryRegions",
            "devices.vhostUser[0].maxRegionBytes",
            "devices.vhostUser[1].maxMemoryRegions",
            "devices.vhostUser[1].maxGuestMemoryBytes");
        assertThat(errors).extracting(ConfigError::message).containsExactly(
            "0 is out of range; allowed 1..8",
            "-1 is out of range; allowed 0..1125899906842624",
            "9 is out of range; allowed 1..8",
            "1125899906842625 is out of range; allowed 0..1125899906842624");
    }

    @Test
    void shouldDeclareNoPortByDefault()
    {
        assertThat(DeviceKinds.load().defaults().section(VhostUserPortsConfig.class).ports()).isEmpty();
    }

    @Test
    void shouldRejectBadPortSettingsWithTheirPaths()
    {
        final List<ConfigError> errors = errorsOf("""
            devices:
              vhostUser:
                - {name: a, socketPath: /tmp/a.sock, mac: "01:00:5e:00:00:01", queuePairs: 17}
                - {name: b, socketPath: /tmp/b.sock, mode: both}
                - {name: c, socketPath: /tmp/c.sock, guestTx: loopback, guestRx: source, sourceFrameBytes: 59}
                - {name: d}
                - {name: e, socketPath: "%s"}
            """.formatted("/tmp/" + "x".repeat(120)));
        assertThat(errors).extracting(ConfigError::path).containsExactly(
            "devices.vhostUser[0].mac",
            "devices.vhostUser[0].queuePairs",
            "devices.vhostUser[1].mode",
            "devices.vhostUser[2].guestRx",
            "devices.vhostUser[2].sourceFrameBytes",
            "devices.vhostUser[3]",
            "devices.vhostUser[4].socketPath");
        assertThat(errors.get(0).message()).contains("not multicast");
        assertThat(errors.get(2).message()).contains("allowed: server, client");
    }

    @Test
    void shouldRejectANameUsedByAnotherDeviceKind()
    {
        assertThat(errorsOf("""
            devices:
              loopback:
                - {name: x}
              vhostUser:
                - {name: x, socketPath: /tmp/x.sock}
            """)).singleElement().extracting(ConfigError::message).asString().contains("used twice");
    }

    @Test
    void shouldReportPortChangesAsLive()
    {
        final VplaneConfig before = DeviceKinds.load().parse("devices: {vhostUser: [{name: a, socketPath: /a}, {name: b, socketPath: /b}]}", SOURCE);
        final VplaneConfig after = DeviceKinds.load().parse("devices: {vhostUser: [{name: a, socketPath: /a2}, {name: c, socketPath: /c}]}", SOURCE);
        assertThat(ConfigDiff.between(before, after)).extracting(SettingChange::path, SettingChange::live).containsExactly(
            org.assertj.core.groups.Tuple.tuple("devices.vhostUser.a", true),
            org.assertj.core.groups.Tuple.tuple("devices.vhostUser.b", true),
            org.assertj.core.groups.Tuple.tuple("devices.vhostUser.c", true));
    }

    @Test
    void shouldBindASwitchedPortWithItsSwitchName()
    {
        final VplaneConfig config = DeviceKinds.load().parse("""
            devices:
              vhostUser:
                - {name: vm1, socketPath: /tmp/vm1.sock, guestTx: switch, vswitch: sw1}
                - {name: vm2, socketPath: /tmp/vm2.sock, guestTx: switch}
            """, SOURCE);
        assertThat(config.section(VhostUserPortsConfig.class).ports()).containsExactly(
            new VhostUserPortConfig("vm1", "/tmp/vm1.sock", Mode.SERVER, 1, "52:54:00:00:00:01", GuestTx.SWITCH, GuestRx.IDLE, 60, "sw1"),
            new VhostUserPortConfig("vm2", "/tmp/vm2.sock", Mode.SERVER, 1, "52:54:00:00:00:01", GuestTx.SWITCH, GuestRx.IDLE, 60, "vswitch0"));
        assertThat(config.section(VhostUserPortsConfig.class).ports().getFirst().switched()).isTrue();
    }

    @Test
    void shouldRejectASwitchedPortFedByTheSourceOrABadSwitchName()
    {
        final List<ConfigError> errors = errorsOf("""
            devices:
              vhostUser:
                - {name: a, socketPath: /tmp/a.sock, guestTx: switch, guestRx: source}
                - {name: b, socketPath: /tmp/b.sock, guestTx: switch, vswitch: "no/slash"}
            """);
        assertThat(errors).extracting(ConfigError::path).containsExactly(
            "devices.vhostUser[0].guestRx",
            "devices.vhostUser[1].vswitch");
        assertThat(errors.get(0).message()).contains("'switch'");
    }

    private static List<ConfigError> errorsOf(final String yaml)
    {
        final ConfigException ex = catchThrowableOfType(ConfigException.class, () -> DeviceKinds.load().parse(yaml, SOURCE));
        assertThat(ex).as("expected %s to be rejected", yaml).isNotNull();
        return ex.errors();
    }
}
