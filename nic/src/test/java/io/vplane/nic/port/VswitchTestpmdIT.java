package io.vplane.nic.port;

import io.vplane.config.ConfigLoader;
import io.vplane.config.VplaneConfig;
import io.vplane.engine.Engine;
import io.vplane.engine.counters.Counters;
import io.vplane.engine.errors.ErrorLog;
import org.agrona.concurrent.status.CountersReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 5 end to end: two testpmd virtio-user "VMs" on two vhost-user ports of one vSwitch
 * ({@code guestTx: switch}), vplane in-process through the engine. virtio-user does not take the
 * CONFIG protocol feature, so each testpmd gets its MAC in its devargs. VM a (52:54:00:00:00:0a,
 * 10.0.0.1) sends to VM b (52:54:00:00:00:0b, 10.0.0.2); both IPs are table entries, so the
 * switch delivers VM to VM. Counts must agree on every hop: testpmd a TX = switch rx of port a;
 * switch tx to b (+ frames b had no buffer for, counted {@code tx_refused}) = switch rx of a;
 * switch tx to b = testpmd b RX.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class VswitchTestpmdIT
{
    private static final long RUN_MS = 5_000;
    private static final String MAC_A = "52:54:00:00:00:0a";
    private static final String MAC_B = "52:54:00:00:00:0b";

    @TempDir
    Path dir;

    @Test
    void shouldSwitchEveryFrameFromTxonlyToRxonlyWithMatchingCounts() throws Exception
    {
        try (Harness harness = new Harness(dir, true))
        {
            try (Testpmd b = Testpmd.startInteractive(harness.socketB, ",mac=" + MAC_B, dir, 0, "--forward-mode=rxonly", "--no-flush-rx");
                Testpmd a = Testpmd.startInteractive(harness.socketA, ",mac=" + MAC_A, dir, 1, "--forward-mode=txonly",
                    "--eth-peer=0," + MAC_B, "--tx-ip=10.0.0.1,10.0.0.2"))
            {
                harness.awaitTraffic(a, "pb");
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(RUN_MS));
                // a stops sending but keeps its port open, so the switch drains a's ring
                final String outA = a.stopForwarding();
                final long switchRxA = harness.settled("rx", "pa");
                final long switchTxB = harness.settled("tx", "pb");
                // give b time to read what is left in its ring
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1_000));
                final String outB = b.stopForwarding();
                a.quit();
                b.quit();
                final long sent = Testpmd.lastTxPackets(outA);
                final long received = Testpmd.lastRxPackets(outB);
                final long refused = harness.drops("pb", "tx_refused");
                System.out.printf("vswitch txonly->rxonly: testpmd a TX %d, switch rx(pa) %d, tx(pb) %d, refused(pb) %d, " +
                    "testpmd b RX %d in %d ms%n", sent, switchRxA, switchTxB, refused, received, RUN_MS);
                final String why = harness.why(outA, outB);
                assertThat(sent).as(why).isPositive();
                assertThat(switchRxA).as(why).isEqualTo(sent);
                assertThat(switchTxB + refused).as(why).isEqualTo(switchRxA);
                assertThat(received).as(why).isEqualTo(switchTxB).isPositive();
                assertThat(harness.value("vplane_vswitch_vm_to_vm_total{switch=\"vs0\"}")).as(why).isEqualTo(switchRxA);
                assertThat(harness.value("vplane_vswitch_copies_total{switch=\"vs0\"}")).as(why).isEqualTo(switchTxB);
                assertThat(harness.value("vplane_vhost_frames_total{port=\"pa\",queue=\"1\",dir=\"guest_tx\"}")).as(why).isEqualTo(sent);
            }
        }
    }

    @Test
    void shouldSwitchFramesBothWaysWhenTheReceiverSwapsMacs() throws Exception
    {
        // macswap keeps the IPs, so b's replies claim a's source IP: anti-spoofing would drop them
        try (Harness harness = new Harness(dir, false))
        {
            try (Testpmd b = Testpmd.startInteractive(harness.socketB, ",mac=" + MAC_B, dir, 0, "--forward-mode=macswap", "--no-flush-rx");
                Testpmd a = Testpmd.startInteractive(harness.socketA, ",mac=" + MAC_A, dir, 1, "--forward-mode=txonly",
                    "--eth-peer=0," + MAC_B, "--tx-ip=10.0.0.1,10.0.0.2"))
            {
                harness.awaitTraffic(a, "pa");
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(RUN_MS));
                final String outA = a.stopForwarding();
                harness.settled("rx", "pa");
                harness.settled("tx", "pb");
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1_000));
                final String outB = b.stopForwarding();
                final long switchRxB = harness.settled("rx", "pb");
                harness.settled("tx", "pa");
                a.quit();
                b.quit();
                final long aTx = Testpmd.lastTxPackets(outA);
                final long bRx = Testpmd.lastRxPackets(outB);
                final long bTx = Testpmd.lastTxPackets(outB);
                final long switchRxA = harness.frames("rx", "pa");
                final long switchTxA = harness.frames("tx", "pa");
                final long switchTxB = harness.frames("tx", "pb");
                System.out.printf("vswitch txonly->macswap: a TX %d, switch a->b %d (rx %d), b RX %d TX %d, " +
                    "switch b->a %d (rx %d, refused %d)%n", aTx, switchTxB, switchRxA, bRx, bTx, switchTxA, switchRxB,
                    harness.drops("pa", "tx_refused"));
                final String why = harness.why(outA, outB);
                assertThat(switchRxA).as(why).isEqualTo(aTx);
                assertThat(switchTxB + harness.drops("pb", "tx_refused")).as(why).isEqualTo(switchRxA);
                // b forwards while it is being stopped: one burst may sit in its rx ring, delivered but never polled
                assertThat(switchTxB - bRx).as(why).isBetween(0L, 32L);
                assertThat(switchRxB).as(why).isEqualTo(bTx).isPositive();
                assertThat(switchTxA).as("frames switched back to a; " + why).isPositive();
                assertThat(switchTxA + harness.drops("pa", "tx_refused")).as(why).isEqualTo(switchRxB);
            }
        }
    }

    /** The engine with a vSwitch and two switched vhost-user ports, counters in memory. */
    private static final class Harness implements AutoCloseable
    {
        private final Counters counters = Counters.inMemory(2048);
        private final Engine engine;
        final Path socketA;
        final Path socketB;

        Harness(final Path dir, final boolean antiSpoofing)
        {
            socketA = dir.resolve("pa.sock");
            socketB = dir.resolve("pb.sock");
            final VplaneConfig config = ConfigLoader.parse("""
                pools:
                  net:
                    batch: 64
                devices:
                  vhostUser:
                    - {name: pa, socketPath: '%s', mac: "%s", guestTx: switch, vswitch: vs0}
                    - {name: pb, socketPath: '%s', mac: "%s", guestTx: switch, vswitch: vs0}
                vswitch:
                  enabled: true
                  name: vs0
                  antiSpoofing: %s
                  table:
                    - {ip: 10.0.0.1, localMac: "%s", globalMac: "02:ff:00:00:00:01", port: pa}
                    - {ip: 10.0.0.2, localMac: "%s", globalMac: "02:ff:00:00:00:01", port: pb}
                """.formatted(socketA, MAC_A, socketB, MAC_B, antiSpoofing, MAC_A, MAC_B), "it.yaml");
            engine = new Engine(config, counters, new ErrorLog(counters));
        }

        void awaitTraffic(final Testpmd sender, final String txPort) throws Exception
        {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (frames("tx", txPort) == 0)
            {
                if (!sender.isAlive() || System.nanoTime() - deadline > 0)
                {
                    throw new AssertionError("no frames switched to " + txPort + "; testpmd output:\n" +
                        sender.output() + "\nvplane counters:\n" + dump());
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
            }
        }

        /** A switch port counter once it stopped changing. */
        long settled(final String direction, final String port)
        {
            long last = -1;
            long now = frames(direction, port);
            while (now != last)
            {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(300));
                last = now;
                now = frames(direction, port);
            }
            return now;
        }

        long frames(final String direction, final String port)
        {
            return value("vplane_vswitch_port_" + direction + "_frames_total{switch=\"vs0\",port=\"" + port + "\"}");
        }

        long drops(final String port, final String reason)
        {
            return value("vplane_vswitch_port_drops_total{switch=\"vs0\",port=\"" + port + "\",reason=\"" + reason + "\"}");
        }

        long value(final String label)
        {
            final CountersReader reader = counters.reader();
            final long[] found = {0};
            reader.forEach((counterId, typeId, keyBuffer, text) ->
            {
                if (text.equals(label))
                {
                    found[0] = reader.getCounterValue(counterId);
                }
            });
            return found[0];
        }

        String why(final String outA, final String outB)
        {
            return String.format("testpmd a output:%n%s%ntestpmd b output:%n%s%nvplane counters:%n%s", outA, outB, dump());
        }

        String dump()
        {
            final StringBuilder text = new StringBuilder();
            final CountersReader reader = counters.reader();
            reader.forEach((counterId, typeId, keyBuffer, label) ->
            {
                final long value = reader.getCounterValue(counterId);
                if (value != 0 && (label.startsWith("vplane_vhost") || label.startsWith("vplane_vswitch") ||
                    label.startsWith("vplane_errors")))
                {
                    text.append(label).append(' ').append(value).append('\n');
                }
            });
            return text.toString();
        }

        @Override
        public void close()
        {
            engine.close();
        }
    }
}
