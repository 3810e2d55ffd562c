package io.vplane.nic.port;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real Linux guest (its kernel's virtio-net driver, QEMU vhost-user, {@code virtio/src/test/guest/boot_guest.sh})
 * behind a switched port, and a network namespace behind a TAP uplink: the guest pings the
 * namespace, the namespace pings the guest, and iperf3 runs both ways (guest to namespace, and
 * namespace to guest with {@code -R}). Every frame from the namespace must be received straight
 * into the guest's buffers: the uplink's {@code copy} path and the switch's copies stay at zero.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class TapUplinkGuestIT extends RootNetworkTest
{
    private static final Path BOOT_GUEST = Path.of("../virtio/src/test/guest/boot_guest.sh");
    private static final String GUEST_MAC = "52:54:00:00:00:01";
    private static final String GLOBAL_MAC = "02:ff:00:00:00:02";
    private static final Pattern BITRATE = Pattern.compile("([\\d.]+) Mbits/sec.*receiver");



    @Test
    void shouldCarryPingAndIperf3BothWaysBetweenAGuestAndANamespace() throws Exception
    {
        final String tap = "vpg" + ProcessHandle.current().pid() % 1_000_000;
        final Path socket = dir.resolve("pg.sock");
        final Path console = dir.resolve("guest.log");
        Process iperfServer = null;
        Process guest = null;
        try (HostNetwork ns = HostNetwork.create("vpl-tapg-");
            PortFixture vplane = new PortFixture(config(socket, tap)))
        {
            ns.takeInterface(tap, "10.0.0.1/24");
            iperfServer = new ProcessBuilder("ip", "netns", "exec", ns.name(), "iperf3", "-s", "-B", "10.0.0.1")
                .redirectErrorStream(true).redirectOutput(dir.resolve("iperf3-server.log").toFile()).start();
            guest = new ProcessBuilder(BOOT_GUEST.toString(), "--net-vu", socket.toString(), "--ip", "10.0.0.2/24",
                "--timeout", "240", "--",
                "ping -c 3 -W 5 10.0.0.1; p=$?; echo VP-READY; sleep 6; " +
                    "iperf3 -c 10.0.0.1 -t 3 -f m; i=$?; iperf3 -c 10.0.0.1 -t 3 -f m -R; r=$?; " +
                    "vp-netstat eth0; exit $((p | i | r))")
                .redirectErrorStream(true).redirectOutput(console.toFile()).start();
            awaitLine(console, "VP-READY", guest);
            final HostNetwork.Result ping = ns.exec("ping", "-c", "3", "-i", "0.3", "-W", "3", "10.0.0.2");
            final boolean exited = guest.waitFor(240, TimeUnit.SECONDS);
            final String output = Files.readString(console, StandardCharsets.UTF_8);
            final String why = vplane.why() + "guest:\n" + output + "\nnamespace ping:\n" + ping.output();
            final List<Double> rates = BITRATE.matcher(output).results().map(m -> Double.parseDouble(m.group(1))).toList();
            final long zeroCopy = TapUplinkTestpmdIT.rxPath(vplane, "zero_copy");
            System.out.printf("tap uplink with a Linux guest: namespace ping %d/3; iperf3 guest->ns %s, ns->guest %s Mbit/s; " +
                    "uplink rx %d (zero_copy %d, copy %d), tx %d; switch copies %d%n", ping.pingsReceived(),
                rates.size() > 0 ? rates.get(0) : "-", rates.size() > 1 ? rates.get(1) : "-",
                vplane.value(TapUplinkTestpmdIT.frames("rx")), zeroCopy, TapUplinkTestpmdIT.rxPath(vplane, "copy"),
                vplane.value(TapUplinkTestpmdIT.frames("tx")), vplane.value("vplane_vswitch_copies_total{switch=\"vs0\"}"));
            assertThat(exited).as(why).isTrue();
            assertThat(guest.exitValue()).as("guest ping and both iperf3 runs succeed; " + why).isZero();
            assertThat(ping.pingsReceived()).as(why).isEqualTo(3);
            assertThat(rates).as(why).hasSize(2);
            // the -R run alone puts thousands of full-size segments into the guest
            assertThat(zeroCopy).as(why).isGreaterThan(1_000);
            // frames the namespace sent before the guest's driver set its rings up were read into the
            // uplink's own memory and refused at the port; none was ever copied into the guest
            assertThat(TapUplinkTestpmdIT.rxPath(vplane, "copy")).as(why)
                .isEqualTo(vplane.value("vplane_vswitch_port_drops_total{switch=\"vs0\",port=\"pg\",reason=\"tx_refused\"}"));
            assertThat(vplane.value("vplane_vswitch_copies_total{switch=\"vs0\"}")).as(why).isZero();
            assertThat(vplane.vhostFrames("pg", "guest_rx", 0)).as(why).isEqualTo(zeroCopy);
        }
        finally
        {
            stop(guest);
            stop(iperfServer);
        }
    }

    static void stop(final Process process) throws InterruptedException
    {
        if (null != process && process.isAlive())
        {
            process.descendants().forEach(ProcessHandle::destroy);
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS))
            {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
        }
    }

    static void awaitLine(final Path console, final String marker, final Process guest) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (true)
        {
            final String text = Files.exists(console) ? Files.readString(console, StandardCharsets.UTF_8) : "";
            if (text.contains(marker))
            {
                return;
            }
            if (!guest.isAlive() || System.nanoTime() - deadline > 0)
            {
                throw new AssertionError("the guest did not print " + marker + ":\n" + text);
            }
            Thread.sleep(100);
        }
    }

    private static String config(final Path socket, final String tap)
    {
        return """
            pools:
              net:
                batch: 64
            devices:
              vhostUser:
                - {name: pg, socketPath: '%s', mac: "%s", guestTx: switch, vswitch: vs0}
              tap:
                - {name: up0, ifName: %s, vswitch: vs0, vmPort: pg}
            vswitch:
              enabled: true
              name: vs0
              table:
                - {ip: 10.0.0.2, localMac: "%s", globalMac: "%s", port: pg}
            """.formatted(socket, GUEST_MAC, tap, GUEST_MAC, GLOBAL_MAC);
    }
}
