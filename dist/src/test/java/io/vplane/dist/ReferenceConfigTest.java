package io.vplane.dist;

import io.vplane.blockstore.config.NbdConfig;
import io.vplane.blockstore.config.NbdDiskConfig;
import io.vplane.blockstore.config.NbdTenantConfig;
import io.vplane.blockstore.config.NbdTlsConfig;
import io.vplane.blockstore.config.NbdTransport;
import io.vplane.blockstore.nbd.NbdLimits;
import io.vplane.config.ConfigDiff;
import io.vplane.config.SettingChange;
import io.vplane.config.VplaneConfig;
import io.vplane.engine.device.DeviceKinds;
import io.vplane.engine.loopback.LoopbackDeviceConfig;
import io.vplane.engine.loopback.LoopbackDevicesConfig;
import io.vplane.nic.port.VhostUserPortConfig;
import io.vplane.nic.port.VhostUserPortsConfig;
import io.vplane.nic.vswitch.VswitchConfig;
import io.vplane.nic.vswitch.VswitchSection;
import io.vplane.vsock.config.VsockDeviceConfig;
import io.vplane.vsock.config.VsockDevicesConfig;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The embedded reference file, read with the sections of every device kind vplane ships. */
class ReferenceConfigTest
{
    private final DeviceKinds kinds = DeviceKinds.load();

    @Test
    void shouldEmbedReferenceFileWhoseValuesAreTheCodeDefaults()
    {
        final VplaneConfig defaults = kinds.defaults();
        final VplaneConfig reference = kinds.loadDefault();

        assertThat(reference.daemon()).isEqualTo(defaults.daemon());
        assertThat(reference.management()).isEqualTo(defaults.management());
        assertThat(reference.counters()).isEqualTo(defaults.counters());
        assertThat(reference.pools()).isEqualTo(defaults.pools());
        assertThat(reference.section(LoopbackDevicesConfig.class)).isEqualTo(
            new LoopbackDevicesConfig(List.of(new LoopbackDeviceConfig("lo0", "net", 4, 10_000))));
        assertThat(reference.section(VhostUserPortsConfig.class)).isEqualTo(new VhostUserPortsConfig(List.of(
            new VhostUserPortConfig("vm0", "vm0.sock", VhostUserPortConfig.Mode.SERVER, 1, "52:54:00:00:00:01",
                VhostUserPortConfig.GuestTx.SINK, VhostUserPortConfig.GuestRx.IDLE, 60, "vswitch0"))));
        assertThat(reference.section(NbdConfig.class)).isEqualTo(new NbdConfig("127.0.0.1", 10809,
            List.of(new NbdDiskConfig("disk0", "disk0.img", 64L << 20, false,
                "vplane default disk (64 MiB sparse)", "local", 2, 1)),
            List.of(new NbdTenantConfig("local", List.of("127.0.0.0/8", "::1/128"), false)),
            new NbdTlsConfig("", "", ""), NbdTransport.EPOLL, NbdLimits.DEFAULTS));
        assertThat(reference.section(VswitchConfig.class)).isEqualTo(new VswitchSection().defaults());
        assertThat(reference.section(VsockDevicesConfig.class)).isEqualTo(new VsockDevicesConfig(List.of(
            new VsockDeviceConfig("vsock0", "vsock0.sock", "vsock0.vsock", 3))));
        assertThat(reference.sections().keySet()).isEqualTo(defaults.sections().keySet());
    }

    @Test
    void shouldSeeOnlyTheDevicesWhenReloadingTheEmbeddedDefaultOverCodeDefaults()
    {
        final List<SettingChange> changes = ConfigDiff.between(kinds.defaults(), kinds.loadDefault());

        assertThat(changes).first().isEqualTo(
            new SettingChange("devices.loopback.lo0", "absent", "type=net queues=4 ratePerSec=10000", true));
        assertThat(changes).extracting(SettingChange::path)
            .containsExactly("devices.loopback.lo0", "devices.vhostUser.vm0", "devices.vsock.vsock0", "nbd.disks.disk0",
                "nbd.tenants.local");
    }
}
