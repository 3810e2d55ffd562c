package io.vplane.nic.port;

import io.vplane.engine.linux.XdpSocket;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An AF_XDP uplink end to end: a veth pair whose far end is in a network namespace of the test's
 * (10.0.0.1/24, IPv6 off so that only the test's frames cross), vplane's AF_XDP uplink on the near end
 * (XDP program in the hook the test names, socket in copy mode: veth has no zero copy), and a testpmd
 * virtio-user VM in {@code icmpecho} mode behind a switched vhost-user port (10.0.0.2). The namespace
 * pings the VM, first 5 times, then a flood of {@value #FLOOD} pings; every request must be answered,
 * and every frame the uplink received (the ARP requests and the echo requests) must have one reply that
 * left through it, with the namespace's neighbour entry showing the VM's global MAC, and no drops
 * counted by the kernel or the uplink. With the driver's hook ({@code auto}) the uplink receives into
 * the VM's buffers (UMEM over its memory, {@code vmPort}): at least 95 % of the frames must land there
 * with no copy. With the generic hook it receives into its own memory and the switch copies every frame.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AfXdpUplinkTestpmdIT extends RootNetworkTest
{
    private static final int PINGS = 5;
    private static final int FLOOD = 3000;
    static final String UPLINK = "ax0";
    /** The case that receives into the VM's buffers. */
    private static final String GUEST_BUFFERS = "auto";

    @BeforeAll
    static void needsAfXdp()
    {
        Assumptions.assumeTrue(XdpSocket.capability().isAvailable(),
            "AF_XDP uplink test skipped: the kernel refuses AF_XDP: " + XdpSocket.capability().missingReason());
    }

    @ParameterizedTest
    @ValueSource(strings = {"auto", "generic"})
    void shouldAnswerEveryPingFromANamespaceThroughTheAfXdpUplink(final String attach) throws Exception
    {
        final String hostEnd = "vpa" + ProcessHandle.current().pid() % 1_000_000;
        final String nsEnd = hostEnd + "n";
        try (HostNetwork ns = HostNetwork.create("vpl-axdp-"))
        {
            HostNetwork.run(List.of("ip", "link", "del", hostEnd));
            HostNetwork.require(List.of("ip", "link", "add", hostEnd, "type", "veth", "peer", "name", nsEnd));
            HostNetwork.require(List.of("sysctl", "-qw", "net.ipv6.conf." + hostEnd + ".disable_ipv6=1"));
            HostNetwork.require(List.of("ip", "link", "set", hostEnd, "up"));
            ns.exec("sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1");
            ns.takeInterface(nsEnd, "10.0.0.1/24");
            try (PortFixture vplane = new PortFixture(config(hostEnd, attach));
                Testpmd vm = Testpmd.launch(dir.resolve("pa.sock"), ",mac=" + TapUplinkTestpmdIT.VM_MAC, dir, 1,
                    "--forward-mode=icmpecho"))
            {
                vm.start();
                final HostNetwork.Result ping = ns.exec("ping", "-c", Integer.toString(PINGS), "-i", "0.2", "-W", "3", "10.0.0.2");
                // 64 requests in flight at a time: bursts through the rings, more frames than the rx ring has chunks
                final HostNetwork.Result flood = ns.exec("ping", "-f", "-l", "64", "-c", Integer.toString(FLOOD), "-W", "3", "10.0.0.2");
                final HostNetwork.Result neighbours = ns.exec("ip", "neigh", "show", "10.0.0.2");
                final String why = vplane.why(vm.output()) + "ping:\n" + ping.output() + "flood:\n" + flood.output() +
                    "neighbours: " + neighbours.output();
                final long rx = vplane.settled(() -> vplane.value(frames("rx")));
                final long tx = vplane.settled(() -> vplane.value(frames("tx")));
                final long zeroCopy = rxPath(vplane, "zero_copy");
                final long copy = rxPath(vplane, "copy");
                System.out.printf("af_xdp uplink (%s) ping: %d/%d, flood %d/%d answered; uplink rx %d (zero copy %d, copy %d, " +
                        "guest buffer elsewhere %d), tx %d; kernel drops %d, ring full %d%n", attach, ping.pingsReceived(), PINGS,
                    flood.pingsReceived(), FLOOD, rx, zeroCopy, copy, rxPath(vplane, "guest_buffer_elsewhere"), tx,
                    drops(vplane, "kernel_rx_dropped"), drops(vplane, "kernel_rx_ring_full"));
                assertThat(ping.pingsReceived()).as(why).isEqualTo(PINGS);
                assertThat(flood.pingsReceived()).as(why).isEqualTo(FLOOD);
                assertThat(neighbours.output()).as(why).contains(TapUplinkTestpmdIT.GLOBAL_MAC);
                // every echo request and at least one ARP request came in; each had exactly one answer out
                assertThat(rx).as(why).isBetween((long)PINGS + FLOOD + 1, (long)PINGS + FLOOD + 4);
                assertThat(tx).as(why).isEqualTo(rx);
                if (GUEST_BUFFERS.equals(attach))
                {
                    // the ARP requests (broadcasts) are answered by the switch, so they count as elsewhere
                    assertThat(zeroCopy + copy + rxPath(vplane, "guest_buffer_elsewhere")).as(why).isEqualTo(rx);
                    assertThat(zeroCopy).as("zero-copy share\n" + why).isGreaterThanOrEqualTo(rx * 95 / 100);
                    assertThat(drops(vplane, "guest_buffer_unfit")).as(why).isZero();
                }
                else
                {
                    assertThat(copy).as(why).isEqualTo(rx);
                }
                assertThat(vplane.vhostFrames("pa", "guest_rx", 0)).as(why).isEqualTo(rx);
                for (final String reason : List.of("kernel_rx_dropped", "kernel_rx_ring_full", "tx_ring_full", "read_error",
                    "write_error", "short_frame", "frame_too_big"))
                {
                    assertThat(drops(vplane, reason)).as(reason + "\n" + why).isZero();
                }
            }
        }
        finally
        {
            HostNetwork.run(List.of("ip", "link", "del", hostEnd));
        }
    }

    private String config(final String ifName, final String attach)
    {
        return """
            pools:
              net:
                batch: 64
            devices:
              vhostUser:
                - {name: pa, socketPath: '%s', mac: "%s", guestTx: switch, vswitch: vs0}
              afXdp:
                - {name: %s, ifName: %s, vswitch: vs0, mode: copy, attach: %s, rxRingSize: 512, txRingSize: 512%s}
            vswitch:
              enabled: true
              name: vs0
              table:
                - {ip: 10.0.0.2, localMac: "%s", globalMac: "%s", port: pa}
            """.formatted(dir.resolve("pa.sock"), TapUplinkTestpmdIT.VM_MAC, UPLINK, ifName, attach,
            GUEST_BUFFERS.equals(attach) ? ", vmPort: pa" : "",
            TapUplinkTestpmdIT.VM_MAC, TapUplinkTestpmdIT.GLOBAL_MAC);
    }

    static String frames(final String direction)
    {
        return "vplane_uplink_frames_total{uplink=\"" + UPLINK + "\",dir=\"" + direction + "\"}";
    }

    static long rxPath(final PortFixture vplane, final String path)
    {
        return vplane.value("vplane_uplink_rx_path_total{uplink=\"" + UPLINK + "\",path=\"" + path + "\"}");
    }

    static long drops(final PortFixture vplane, final String reason)
    {
        return vplane.value("vplane_uplink_drops_total{uplink=\"" + UPLINK + "\",reason=\"" + reason + "\"}");
    }
}
