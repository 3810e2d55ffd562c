package io.vplane.nic.port;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A VXLAN uplink against the kernel's own VXLAN device: a veth pair (10.9.0.1 on the host,
 * 10.9.0.2 in a namespace of the test's own), {@code vxlan42} (VNI 42, remote 10.9.0.1, port 4789)
 * in the namespace with 10.0.0.1/24, and a testpmd {@code icmpecho} VM (10.0.0.2) behind a switched
 * port. The namespace's pings must all be answered, the inner frames received straight into the
 * VM's buffers (the uplink's {@code zero_copy} path, no copy by the switch), and the replies
 * decapsulated by the kernel carry the VM's global MAC.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class VxlanUplinkTestpmdIT extends RootNetworkTest
{
    private static final int PINGS = 5;
    private static final String UPLINK = "vx0-42";



    @Test
    void shouldAnswerPingsFromTheKernelsVxlanDeviceWithInnerFramesReceivedIntoTheGuestBuffers() throws Exception
    {
        final String hostEnd = "vpx" + ProcessHandle.current().pid() % 1_000_000;
        final String nsEnd = hostEnd + "n";
        try (HostNetwork ns = HostNetwork.create("vpl-vx-"))
        {
            HostNetwork.require(List.of("ip", "link", "add", hostEnd, "type", "veth", "peer", "name", nsEnd));
            HostNetwork.require(List.of("ip", "addr", "add", "10.9.0.1/24", "dev", hostEnd));
            HostNetwork.require(List.of("ip", "link", "set", hostEnd, "up"));
            ns.takeInterface(nsEnd, "10.9.0.2/24");
            HostNetwork.require(List.of("ip", "-n", ns.name(), "link", "add", "vxlan42", "type", "vxlan", "id", "42",
                "remote", "10.9.0.1", "dstport", "4789", "dev", nsEnd));
            HostNetwork.require(List.of("ip", "-n", ns.name(), "addr", "add", "10.0.0.1/24", "dev", "vxlan42"));
            HostNetwork.require(List.of("ip", "-n", ns.name(), "link", "set", "vxlan42", "up"));
            try (PortFixture vplane = new PortFixture(config());
                Testpmd vm = Testpmd.launch(dir.resolve("pa.sock"), ",mac=" + TapUplinkTestpmdIT.VM_MAC, dir, 1,
                    "--forward-mode=icmpecho"))
            {
                vm.start();
                final HostNetwork.Result ping = ns.exec("ping", "-c", Integer.toString(PINGS), "-i", "0.2", "-W", "3", "10.0.0.2");
                final HostNetwork.Result neighbours = ns.exec("ip", "neigh", "show", "10.0.0.2");
                final HostNetwork.Result fdb = ns.exec("bridge", "fdb", "show", "dev", "vxlan42");
                final String why = vplane.why(vm.output()) + "ping:\n" + ping.output() + "neighbours: " +
                    neighbours.output() + "fdb: " + fdb.output();
                final long zeroCopy = vplane.settled(() -> rxPath(vplane, "zero_copy"));
                System.out.printf("vxlan uplink ping: %d/%d answered; uplink rx %d (zero_copy %d, copy %d), tx %d; " +
                        "switch copies %d%n", ping.pingsReceived(), PINGS, vplane.value(frames("rx")), zeroCopy,
                    rxPath(vplane, "copy"), vplane.value(frames("tx")), vplane.value("vplane_vswitch_copies_total{switch=\"vs0\"}"));
                assertThat(ping.pingsReceived()).as(why).isEqualTo(PINGS);
                assertThat(neighbours.output()).as(why).contains(TapUplinkTestpmdIT.GLOBAL_MAC);
                assertThat(zeroCopy).as(why).isGreaterThanOrEqualTo(PINGS + 1);
                // frames before the VM's rings were up (the namespace's own chatter) took the copy path and
                // were refused at the port; none was copied into the guest
                assertThat(rxPath(vplane, "copy")).as(why)
                    .isEqualTo(vplane.value("vplane_vswitch_port_drops_total{switch=\"vs0\",port=\"pa\",reason=\"tx_refused\"}"));
                assertThat(vplane.value("vplane_vswitch_copies_total{switch=\"vs0\"}")).as(why).isZero();
                assertThat(vplane.value(frames("tx"))).as(why).isGreaterThanOrEqualTo(PINGS + 1);
                assertThat(vplane.value("vplane_uplink_drops_total{uplink=\"" + UPLINK + "\",reason=\"wrong_vni\"}")).as(why).isZero();
            }
        }
        finally
        {
            HostNetwork.run(List.of("ip", "link", "del", hostEnd));
        }
    }

    private String config()
    {
        return """
            pools:
              net:
                batch: 64
            devices:
              vhostUser:
                - {name: pa, socketPath: '%s', mac: "%s", guestTx: switch, vswitch: vs0}
              vxlan:
                - name: vx0
                  bindAddress: 10.9.0.1
                  vswitch: vs0
                  remotes: [10.9.0.2]
                  vnis:
                    - {vni: 42, vmPort: pa}
            vswitch:
              enabled: true
              name: vs0
              table:
                - {ip: 10.0.0.2, localMac: "%s", globalMac: "%s", port: pa}
            """.formatted(dir.resolve("pa.sock"), TapUplinkTestpmdIT.VM_MAC, TapUplinkTestpmdIT.VM_MAC,
            TapUplinkTestpmdIT.GLOBAL_MAC);
    }

    private static String frames(final String direction)
    {
        return "vplane_uplink_frames_total{uplink=\"" + UPLINK + "\",dir=\"" + direction + "\"}";
    }

    private static long rxPath(final PortFixture vplane, final String path)
    {
        return vplane.value("vplane_uplink_rx_path_total{uplink=\"" + UPLINK + "\",path=\"" + path + "\"}");
    }
}
