package io.vplane.nic.port;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A TAP uplink end to end: vplane creates a TAP device, the test moves it into a network namespace
 * of its own (10.0.0.1/24) and pings a testpmd virtio-user VM in {@code icmpecho} mode behind a
 * switched vhost-user port (local MAC {@value #VM_MAC}, global MAC {@value #GLOBAL_MAC}, 10.0.0.2).
 * The namespace's ARP request and echo requests are read straight into the VM's receive buffers
 * and published there (the uplink's {@code zero_copy} path; nothing read into its own memory and
 * no copy by the switch); the VM's replies leave through the TAP from its transmit buffers, their
 * source MAC translated to the global one, which the namespace's neighbour table must show.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TapUplinkTestpmdIT extends RootNetworkTest
{
    static final String VM_MAC = "52:54:00:00:00:0a";
    static final String GLOBAL_MAC = "02:ff:00:00:00:02";
    private static final int PINGS = 5;



    @Test
    void shouldAnswerPingsFromANamespaceWithFramesReceivedStraightIntoTheGuestBuffers() throws Exception
    {
        final String tap = "vpt" + ProcessHandle.current().pid() % 1_000_000;
        try (HostNetwork ns = HostNetwork.create("vpl-tap-");
            PortFixture vplane = new PortFixture(config(tap, true));
            Testpmd vm = Testpmd.launch(dir.resolve("pa.sock"), ",mac=" + VM_MAC, dir, 1, "--forward-mode=icmpecho"))
        {
            vm.start();
            ns.takeInterface(tap, "10.0.0.1/24");
            final HostNetwork.Result ping = ns.exec("ping", "-c", Integer.toString(PINGS), "-i", "0.2", "-W", "3", "10.0.0.2");
            final HostNetwork.Result neighbours = ns.exec("ip", "neigh", "show", "10.0.0.2");
            final String why = vplane.why(vm.output()) + "ping:\n" + ping.output() + "neighbours: " + neighbours.output();
            final long zeroCopy = vplane.settled(() -> rxPath(vplane, "zero_copy"));
            System.out.printf("tap uplink ping: %d/%d answered; uplink rx %d (zero_copy %d, copy %d), tx %d; switch copies %d%n",
                ping.pingsReceived(), PINGS, vplane.value(frames("rx")), zeroCopy, rxPath(vplane, "copy"),
                vplane.value(frames("tx")), vplane.value("vplane_vswitch_copies_total{switch=\"vs0\"}"));
            assertThat(ping.pingsReceived()).as(why).isEqualTo(PINGS);
            assertThat(neighbours.output()).as(why).contains(GLOBAL_MAC);
            // the ARP request and every echo request, each published where the kernel wrote it
            assertThat(zeroCopy).as(why).isGreaterThanOrEqualTo(PINGS + 1);
            assertThat(rxPath(vplane, "copy")).as(why).isZero();
            assertThat(vplane.value("vplane_vswitch_copies_total{switch=\"vs0\"}")).as(why).isZero();
            assertThat(vplane.value("vplane_vswitch_translations_total{switch=\"vs0\",direction=\"to_local\"}")).as(why)
                .isGreaterThanOrEqualTo(PINGS);
            assertThat(vplane.value(frames("tx"))).as(why).isGreaterThanOrEqualTo(PINGS + 1);
            assertThat(vplane.vhostFrames("pa", "guest_rx", 0)).as(why).isEqualTo(zeroCopy);
        }
    }

    @Test
    void shouldAnswerPingsOverTheCopyPathWhenSubstitutionIsOff() throws Exception
    {
        final String tap = "vpc" + ProcessHandle.current().pid() % 1_000_000;
        try (HostNetwork ns = HostNetwork.create("vpl-tapc-");
            PortFixture vplane = new PortFixture(config(tap, false));
            Testpmd vm = Testpmd.launch(dir.resolve("pa.sock"), ",mac=" + VM_MAC, dir, 1, "--forward-mode=icmpecho"))
        {
            vm.start();
            ns.takeInterface(tap, "10.0.0.1/24");
            final HostNetwork.Result ping = ns.exec("ping", "-c", Integer.toString(PINGS), "-i", "0.2", "-W", "3", "10.0.0.2");
            final String why = vplane.why(vm.output()) + "ping:\n" + ping.output();
            final long copied = vplane.settled(() -> rxPath(vplane, "copy"));
            assertThat(ping.pingsReceived()).as(why).isEqualTo(PINGS);
            assertThat(rxPath(vplane, "zero_copy")).as(why).isZero();
            assertThat(copied).as(why).isGreaterThanOrEqualTo(PINGS + 1);
            assertThat(vplane.value("vplane_vswitch_copies_total{switch=\"vs0\"}")).as(why).isGreaterThanOrEqualTo(PINGS + 1);
        }
    }

    private String config(final String tap, final boolean zeroCopy)
    {
        return """
            pools:
              net:
                batch: 64
            devices:
              vhostUser:
                - {name: pa, socketPath: '%s', mac: "%s", guestTx: switch, vswitch: vs0}
              tap:
                - {name: up0, ifName: %s, vswitch: vs0, vmPort: pa, zeroCopy: %s}
            vswitch:
              enabled: true
              name: vs0
              table:
                - {ip: 10.0.0.2, localMac: "%s", globalMac: "%s", port: pa}
            """.formatted(dir.resolve("pa.sock"), VM_MAC, tap, zeroCopy, VM_MAC, GLOBAL_MAC);
    }

    static String frames(final String direction)
    {
        return "vplane_uplink_frames_total{uplink=\"up0\",dir=\"" + direction + "\"}";
    }

    static long rxPath(final PortFixture vplane, final String path)
    {
        return vplane.value("vplane_uplink_rx_path_total{uplink=\"up0\",path=\"" + path + "\"}");
    }
}
