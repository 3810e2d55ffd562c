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

    @Test
    void shouldReadAfXdpUplinksWithTheirDefaults()
    {
        final var config = DeviceKinds.load().parse("""
            devices:
              afXdp:
                - {name: ax0, ifName: veth0}
                - {name: ax1, ifName: eth1, queueId: 3, vswitch: sw1, mode: ZeroCopy, attach: native, rxRingSize: 4096,
                   txRingSize: 1024, frameSize: 4096}
                - {name: ax2, ifName: eth2, vmPort: vm0}
                - {name: ax3, ifName: eth3, vmPort: vm1, guestBuffers: false}
                - {name: ax4, ifName: eth4, vmPort: vm2, frameSize: 4096, mtu: 3000}
            """, "c.yaml");

        assertThat(config.section(AfXdpUplinksConfig.class).uplinks()).containsExactly(
            new AfXdpUplinkConfig("ax0", "veth0", 0, "vswitch0", AfXdpUplinkConfig.Mode.AUTO, AfXdpUplinkConfig.Attach.AUTO,
                2048, 2048, 2048),
            new AfXdpUplinkConfig("ax1", "eth1", 3, "sw1", AfXdpUplinkConfig.Mode.ZEROCOPY, AfXdpUplinkConfig.Attach.NATIVE,
                4096, 1024, 4096),
            new AfXdpUplinkConfig("ax2", "eth2", 0, "vswitch0", AfXdpUplinkConfig.Mode.AUTO, AfXdpUplinkConfig.Attach.AUTO,
                2048, 2048, 2048, "vm0", true),
            new AfXdpUplinkConfig("ax3", "eth3", 0, "vswitch0", AfXdpUplinkConfig.Mode.AUTO, AfXdpUplinkConfig.Attach.AUTO,
                2048, 2048, 2048, "vm1", false),
            new AfXdpUplinkConfig("ax4", "eth4", 0, "vswitch0", AfXdpUplinkConfig.Mode.AUTO, AfXdpUplinkConfig.Attach.AUTO,
                2048, 2048, 4096, "vm2", true, 3000));
        assertThat(config.section(AfXdpUplinksConfig.class).uplinks()).extracting(AfXdpUplinkConfig::substitutes)
            .containsExactly(false, false, true, false, true);
        // 1500 MTU: the kernel may write 1518 bytes, so a Linux guest's 1536-byte buffer (12 of header) takes any frame
        final AfXdpUplinkConfig ax2 = config.section(AfXdpUplinksConfig.class).uplinks().get(2);
        assertThat(ax2.frameRoom()).isEqualTo(1518).isLessThanOrEqualTo(1536 - 12);
        assertThat(ax2.umemHeadroom()).isEqualTo(2048 - 256 - 1518);
        assertThat(config.section(AfXdpUplinksConfig.class).uplinks().get(4).umemHeadroom()).isEqualTo(4096 - 256 - 3018);
        assertThat(DeviceKinds.load().defaults().section(AfXdpUplinksConfig.class).uplinks()).isEmpty();
    }

    @Test
    void shouldReportEveryBadAfXdpSetting()
    {
        final String text = """
            devices:
              afXdp:
                - {name: ax0}
                - {name: ax1, ifName: "a b", queueId: -1}
                - {name: ax2, ifName: eth0, mode: fast, attach: offload}
                - {name: ax3, ifName: eth0, mode: zerocopy, attach: generic}
                - {name: ax4, ifName: eth0, rxRingSize: 1000, txRingSize: 32, frameSize: 1024}
                - {name: ax5, ifName: eth0, vmPort: "no port", guestBuffers: maybe}
                - {name: ax6, ifName: eth0, mtu: 1800}
                - {name: ax7, ifName: eth0, mtu: 20}
            """;

        assertThatThrownBy(() -> DeviceKinds.load().parse(text, "c.yaml"))
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining("missing required setting 'ifName'")
            .hasMessageContaining("'a b' is no interface name")
            .hasMessageContaining("port name 'no port' is not allowed")
            .hasMessageContaining("guestBuffers")
            .hasMessageContaining("queueId")
            .hasMessageContaining("unknown AF_XDP mode 'fast'; allowed: copy, zerocopy, auto")
            .hasMessageContaining("unknown XDP attach mode 'offload'; allowed: auto, native, generic")
            .hasMessageContaining("mode zerocopy needs the driver's XDP hook")
            .hasMessageContaining("rxRingSize")
            .hasMessageContaining("txRingSize")
            .hasMessageContaining("frameSize")
            .hasMessageContaining("mtu 1800 needs frames of 1818 bytes behind the kernel's 256 of headroom: more than frameSize 2048" +
                " (lower mtu to at most 1774 or raise frameSize)")
            .hasMessageContaining("devices.afXdp[7].mtu: 20 is out of range; allowed 68..9000");
        assertThatThrownBy(() -> new AfXdpUplinkConfig("ax0", "eth0", 0, "vswitch0", AfXdpUplinkConfig.Mode.AUTO,
            AfXdpUplinkConfig.Attach.AUTO, 2048, 2048, 2048, "vm0", true, 1775))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("more than frameSize 2048");
    }
}
