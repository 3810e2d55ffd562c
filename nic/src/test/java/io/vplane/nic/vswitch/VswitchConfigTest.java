package io.vplane.nic.vswitch;

import io.vplane.config.ConfigDiff;
import io.vplane.config.ConfigException;
import io.vplane.config.SettingChange;
import io.vplane.config.VplaneConfig;
import io.vplane.engine.device.DeviceKinds;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class VswitchConfigTest
{
    private static final String SECTION = """
        vswitch:
          enabled: true
          name: sw0
          proxyArp: true
          macAgingMs: 60000
          table:
            - {ip: 10.0.0.2, localMac: "02:00:00:00:00:02", globalMac: "02:ff:00:00:00:01", port: vm1}
            - {ip: "fd00::2", localMac: "02:00:00:00:00:02", globalMac: "02:ff:00:00:00:01", port: vm1}
        """;

    @Test
    void shouldDefaultToADisabledSwitchWithAnEmptyTable()
    {
        final VswitchConfig defaults = DeviceKinds.load().defaults().section(VswitchConfig.class);

        assertThat(defaults.enabled()).isFalse();
        assertThat(defaults.name()).isEqualTo("vswitch0");
        assertThat(defaults.table()).isEmpty();
    }

    @Test
    void shouldReadSettingsAndTableEntries()
    {
        final VswitchConfig vswitch = DeviceKinds.load().parse(SECTION, "c.yaml").section(VswitchConfig.class);

        assertThat(vswitch.enabled()).isTrue();
        assertThat(vswitch.name()).isEqualTo("sw0");
        assertThat(vswitch.proxyArp()).isTrue();
        assertThat(vswitch.proxyNd()).isFalse();
        assertThat(vswitch.antiSpoofing()).isTrue();
        assertThat(vswitch.macAgingMs()).isEqualTo(60_000);
        assertThat(vswitch.table()).containsExactly(
            new VswitchEntryConfig("10.0.0.2", "02:00:00:00:00:02", "02:ff:00:00:00:01", "vm1"),
            new VswitchEntryConfig("fd00::2", "02:00:00:00:00:02", "02:ff:00:00:00:01", "vm1"));
    }

    @Test
    void shouldReportEveryBadEntryWithItsLine()
    {
        final String text = """
            vswitch:
              macAgingMs: 10
              maxVlanTags: 3
              table:
                - {ip: 10.0.0.300, localMac: "02:00:00:00:00:02", globalMac: "02:ff:00:00:00:01", port: vm1}
                - {ip: 10.0.0.3, localMac: "01:00:5e:00:00:01", globalMac: "02:ff:00:00:00:01", port: vm1}
                - {ip: 10.0.0.4, localMac: "02:00:00:00:00:04", globalMac: "02:ff:00", port: vm1}
                - {ip: 10.0.0.5, localMac: "02:00:00:00:00:05", globalMac: "02:ff:00:00:00:01"}
                - {ip: 10.0.0.6, localMac: "02:00:00:00:00:06", globalMac: "02:ff:00:00:00:01", port: vm1}
                - {ip: 10.0.0.06, localMac: "02:00:00:00:00:07", globalMac: "02:ff:00:00:00:01", port: vm2}
            """;

        assertThatThrownBy(() -> DeviceKinds.load().parse(text, "c.yaml"))
            .isInstanceOf(ConfigException.class)
            .satisfies(ex -> assertThat(((ConfigException)ex).errors()).hasSize(7))
            .hasMessageContaining("vswitch.macAgingMs")
            .hasMessageContaining("vswitch.maxVlanTags")
            .hasMessageContaining("not an IPv4 or IPv6 address")
            .hasMessageContaining("group or zero address")
            .hasMessageContaining("six hex octets")
            .hasMessageContaining("missing required setting 'port'")
            .hasMessageContaining("has two entries; first at line 9");
    }

    @Test
    void shouldReportTableChangesAsAppliedLive()
    {
        final VplaneConfig running = DeviceKinds.load().parse(SECTION, "c.yaml");
        final VplaneConfig next = DeviceKinds.load().parse(SECTION.replace("02:00:00:00:00:02\", globalMac: \"02:ff:00:00:00:01\", port: vm1}\n" +
            "    - {ip: \"fd00::2\"", "02:00:00:00:00:09\", globalMac: \"02:ff:00:00:00:01\", port: vm1}\n    - {ip: \"fd00::2\""), "c.yaml");

        final List<SettingChange> changes = ConfigDiff.between(running, next);

        assertThat(changes).extracting(SettingChange::path).containsExactly("vswitch.table");
        assertThat(changes.get(0).live()).isTrue();
    }
}
