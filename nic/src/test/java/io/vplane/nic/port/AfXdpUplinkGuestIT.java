package io.vplane.nic.port;

import io.vplane.engine.linux.XdpSocket;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real Linux guest (its kernel's virtio-net driver, QEMU vhost-user, {@code virtio/src/test/guest/boot_guest.sh})
 * behind a switched port, and a network namespace behind an AF_XDP uplink on a veth pair (generic
 * hook, copy mode) that receives into the guest's buffers ({@code vmPort}). A Linux guest posts
 * 1536-byte receive buffers: they are lent to the kernel only because the UMEM headroom leaves it the
 * 1500-MTU frame (1518 bytes), no more. The guest pings the namespace, the namespace pings the guest
 * and then floods it; every ping is answered and at least 95 % of the frames the uplink received
 * landed straight in the guest's buffers, none refused as too small.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class AfXdpUplinkGuestIT extends RootNetworkTest
{
    private static final Path BOOT_GUEST = Path.of("../virtio/src/test/guest/boot_guest.sh");
    private static final String GUEST_MAC = "52:54:00:00:00:01";
    private static final String GLOBAL_MAC = "02:ff:00:00:00:02";
    private static final String UPLINK = AfXdpUplinkTestpmdIT.UPLINK;
    private static final int FLOOD = 2000;

    @BeforeAll
    static void needsAfXdp()
    {
        Assumptions.assumeTrue(XdpSocket.capability().isAvailable(),
            "AF_XDP guest test skipped: the kernel refuses AF_XDP: " + XdpSocket.capability().missingReason());
    }

    @Test
    void shouldReceiveIntoALinuxGuestsBuffersThroughTheAfXdpUplink() throws Exception
    {
        final String hostEnd = "vpx" + ProcessHandle.current().pid() % 1_000_000;
        final String nsEnd = hostEnd + "n";
        final Path socket = dir.resolve("pg.sock");
        final Path console = dir.resolve("guest.log");
        Process guest = null;
        try (HostNetwork ns = HostNetwork.create("vpl-axg-"))
        {
            HostNetwork.run(List.of("ip", "link", "del", hostEnd));
            HostNetwork.require(List.of("ip", "link", "add", hostEnd, "type", "veth", "peer", "name", nsEnd));
            HostNetwork.require(List.of("sysctl", "-qw", "net.ipv6.conf." + hostEnd + ".disable_ipv6=1"));
            HostNetwork.require(List.of("ip", "link", "set", hostEnd, "up"));
            ns.exec("sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1");
            ns.takeInterface(nsEnd, "10.0.0.1/24");
            try (PortFixture vplane = new PortFixture(config(socket, hostEnd)))
            {
                guest = new ProcessBuilder(BOOT_GUEST.toString(), "--net-vu", socket.toString(), "--ip", "10.0.0.2/24",
                    "--timeout", "240", "--", "ping -c 3 -W 5 10.0.0.1; echo VP-READY $?; sleep 200")
                    .redirectErrorStream(true).redirectOutput(console.toFile()).start();
                TapUplinkGuestIT.awaitLine(console, "VP-READY", guest);
                final HostNetwork.Result ping = ns.exec("ping", "-c", "3", "-i", "0.3", "-W", "3", "10.0.0.2");
                final HostNetwork.Result flood = ns.exec("ping", "-f", "-l", "16", "-c", Integer.toString(FLOOD), "-W", "3", "10.0.0.2");
                final String output = Files.readString(console, StandardCharsets.UTF_8);
                final String why = vplane.why() + "guest:\n" + output + "\nnamespace ping:\n" + ping.output() + "flood:\n" +
                    flood.output();
                final long rx = vplane.settled(() -> vplane.value(AfXdpUplinkTestpmdIT.frames("rx")));
                final long zeroCopy = AfXdpUplinkTestpmdIT.rxPath(vplane, "zero_copy");
                final long copy = AfXdpUplinkTestpmdIT.rxPath(vplane, "copy");
                final long elsewhere = AfXdpUplinkTestpmdIT.rxPath(vplane, "guest_buffer_elsewhere");
                System.out.printf("af_xdp uplink with a Linux guest: namespace ping %d/3, flood %d/%d; uplink rx %d (zero copy %d " +
                        "= %.1f %%, copy %d, guest buffer elsewhere %d), tx %d; unfit %d, kernel drops %d%n", ping.pingsReceived(),
                    flood.pingsReceived(), FLOOD, rx, zeroCopy, 100.0 * zeroCopy / Math.max(1, rx), copy, elsewhere,
                    vplane.value(AfXdpUplinkTestpmdIT.frames("tx")), AfXdpUplinkTestpmdIT.drops(vplane, "guest_buffer_unfit"), AfXdpUplinkTestpmdIT.drops(vplane, "kernel_rx_dropped"));
                assertThat(output).as("the guest's pings are answered; " + why).contains("VP-READY 0");
                assertThat(ping.pingsReceived()).as(why).isEqualTo(3);
                assertThat(flood.pingsReceived()).as(why).isGreaterThanOrEqualTo(FLOOD * 99 / 100);
                assertThat(AfXdpUplinkTestpmdIT.drops(vplane, "guest_buffer_unfit")).as("the guest's 1536-byte buffers are lent; " + why).isZero();
                assertThat(zeroCopy + copy + elsewhere).as(why).isEqualTo(rx);
                assertThat(zeroCopy).as("zero-copy share\n" + why).isGreaterThanOrEqualTo(rx * 95 / 100);
                assertThat(AfXdpUplinkTestpmdIT.drops(vplane, "kernel_rx_dropped")).as(why).isZero();
            }
        }
        finally
        {
            TapUplinkGuestIT.stop(guest);
            HostNetwork.run(List.of("ip", "link", "del", hostEnd));
        }
    }

    private static String config(final Path socket, final String ifName)
    {
        return """
            pools:
              net:
                batch: 64
            devices:
              vhostUser:
                - {name: pg, socketPath: '%s', mac: "%s", guestTx: switch, vswitch: vs0}
              afXdp:
                - {name: %s, ifName: %s, vswitch: vs0, mode: copy, attach: generic, rxRingSize: 512, txRingSize: 512, vmPort: pg}
            vswitch:
              enabled: true
              name: vs0
              table:
                - {ip: 10.0.0.2, localMac: "%s", globalMac: "%s", port: pg}
            """.formatted(socket, GUEST_MAC, UPLINK, ifName, GUEST_MAC, GLOBAL_MAC);
    }
}
