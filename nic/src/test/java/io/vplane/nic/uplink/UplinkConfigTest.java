package io.vplane.nic.uplink;

import io.vplane.config.ConfigException;
import io.vplane.engine.device.DeviceKinds;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class UplinkConfigTest
{
    @Test
    void shouldReadTapAndVxlanUplinksWithTheirDefaults()
    {
        final var config = DeviceKinds.load().parse("""
            devices:
              tap:
                - {name: up0, ifName: vptap0, vmPort: vm1}
                - {name: up1, ifName: vptap1, vmPort: vm2, vswitch: sw1, queues: 4, zeroCopy: false, ioUring: false}
              vxlan:
                - name: vx0
                  remotes: [192.0.2.7]
                  vnis:
                    - {vni: 42, vmPort: vm1}
                    - {vni: 43, vmPort: vm2}
            """, "c.yaml");

        assertThat(config.section(TapUplinksConfig.class).uplinks()).containsExactly(
            new TapUplinkConfig("up0", "vptap0", "vswitch0", "vm1", 1, true, true),
            new TapUplinkConfig("up1", "vptap1", "sw1", "vm2", 4, false, false));
        assertThat(config.section(VxlanUplinksConfig.class).uplinks()).containsExactly(
            new VxlanUplinkConfig("vx0", "0.0.0.0", 4789, "vswitch0", List.of("192.0.2.7"),
                List.of(new VxlanUplinkConfig.Segment(42, "vm1"), new VxlanUplinkConfig.Segment(43, "vm2")), true));
    }

    @Test
    void shouldDefaultToNoUplinks()
    {
        assertThat(DeviceKinds.load().defaults().section(TapUplinksConfig.class).uplinks()).isEmpty();
        assertThat(DeviceKinds.load().defaults().section(VxlanUplinksConfig.class).uplinks()).isEmpty();
    }

    @Test
    void shouldReportEveryBadSetting()
    {
        final String text = """
            devices:
              tap:
                - {name: up0, ifName: "a/b", vmPort: vm1}
                - {name: up1, ifName: waytoolonginterfacename, vmPort: vm1}
                - {name: up2, ifName: vptap2}
                - {name: up3, ifName: vptap3, vmPort: vm1, queues: 17}
              vxlan:
                - {name: vx0, bindAddress: "10.0.0.300", remotes: ["fd00::1"], vnis: [{vni: 16777216, vmPort: vm1}]}
                - {name: vx1, vnis: [{vni: 5, vmPort: vm1}, {vni: 5, vmPort: vm2}]}
                - {name: vx2}
            """;

        assertThatThrownBy(() -> DeviceKinds.load().parse(text, "c.yaml"))
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining("'a/b' is no interface name")
            .hasMessageContaining("'waytoolonginterfacename' is no interface name")
            .hasMessageContaining("missing required setting 'vmPort'")
            .hasMessageContaining("queues")
            .hasMessageContaining("'10.0.0.300' is not an IPv4 address literal")
            .hasMessageContaining("remote VTEP 'fd00::1'")
            .hasMessageContaining("vni")
            .hasMessageContaining("VNI 5 is listed twice")
            .hasMessageContaining("needs at least one {vni, vmPort}");
    }
}
