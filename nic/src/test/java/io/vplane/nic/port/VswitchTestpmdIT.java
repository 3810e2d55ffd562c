package io.vplane.nic.port;

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
 * switch tx to b = testpmd b RX. b starts forwarding before a sends, and the counts are read
 * after the drain of {@link PortFixture}, so all of them must match exactly.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class VswitchTestpmdIT
{
    private static final long RUN_MS = 5_000;
    private static final String MAC_A = SwitchedPair.MAC_A;
    private static final String MAC_B = SwitchedPair.MAC_B;

    @TempDir
    Path dir;

    @Test
    void shouldSwitchEveryFrameFromTxonlyToRxonlyWithMatchingCounts() throws Exception
    {
        try (PortFixture vplane = twoPorts(true);
            Testpmd b = Testpmd.launch(dir.resolve("pb.sock"), ",mac=" + MAC_B, dir, 0, "--forward-mode=rxonly", "--no-flush-rx");
            Testpmd a = Testpmd.launch(dir.resolve("pa.sock"), ",mac=" + MAC_A, dir, 1, "--forward-mode=txonly",
                "--eth-peer=0," + MAC_B, "--tx-ip=10.0.0.1,10.0.0.2"))
        {
            b.start();
            a.start();
            vplane.awaitPositive(() -> switchFrames(vplane, "tx", "pb"), "frames switched to pb", a);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(RUN_MS));
            // a stops sending (its port stays open); the switch takes what is left in a's ring
            final Testpmd.Stats statsA = a.stop();
            vplane.awaitTaken("pa", 1);
            final long switchRxA = vplane.settled(() -> switchFrames(vplane, "rx", "pa"));
            // b reads what the switch put in its ring
            vplane.awaitGuestRead("pb", 0);
            final Testpmd.Stats statsB = b.stop();
            final long switchTxB = switchFrames(vplane, "tx", "pb");
            final long sent = statsA.txPackets();
            final long received = statsB.rxPackets();
            final long refused = switchDrops(vplane, "pb", "tx_refused");
            System.out.printf("vswitch txonly->rxonly: testpmd a TX %d, switch rx(pa) %d, tx(pb) %d, refused(pb) %d, " +
                "testpmd b RX %d in %d ms%n", sent, switchRxA, switchTxB, refused, received, RUN_MS);
            final String why = vplane.why(a.output(), b.output());
            assertThat(sent).as(why).isPositive();
            assertThat(switchRxA).as(why).isEqualTo(sent);
            assertThat(switchTxB + refused).as(why).isEqualTo(switchRxA);
            assertThat(received).as(why).isEqualTo(switchTxB).isPositive();
            assertThat(vplane.value("vplane_vswitch_vm_to_vm_total{switch=\"vs0\"}")).as(why).isEqualTo(switchRxA);
            assertThat(vplane.value("vplane_vswitch_copies_total{switch=\"vs0\"}")).as(why).isEqualTo(switchTxB);
            assertThat(vplane.vhostFrames("pa", "guest_tx", 1)).as(why).isEqualTo(sent);
        }
    }

    @Test
    void shouldSwitchFramesBothWaysWhenTheReceiverSwapsMacs() throws Exception
    {
        // macswap keeps the IPs, so b's replies claim a's source IP: anti-spoofing would drop them
        try (PortFixture vplane = twoPorts(false);
            Testpmd b = Testpmd.launch(dir.resolve("pb.sock"), ",mac=" + MAC_B, dir, 0, "--forward-mode=macswap", "--no-flush-rx");
            Testpmd a = Testpmd.launch(dir.resolve("pa.sock"), ",mac=" + MAC_A, dir, 1, "--forward-mode=txonly",
                "--eth-peer=0," + MAC_B, "--tx-ip=10.0.0.1,10.0.0.2"))
        {
            b.start();
            a.start();
            vplane.awaitPositive(() -> switchFrames(vplane, "tx", "pa"), "frames switched back to pa", a);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(RUN_MS));
            final Testpmd.Stats statsA = a.stop();
            vplane.awaitTaken("pa", 1);
            vplane.settled(() -> switchFrames(vplane, "rx", "pa"));
            // b reads every frame the switch gave it, and sends each back before its stop ends
            vplane.awaitGuestRead("pb", 0);
            final Testpmd.Stats statsB = b.stop();
            vplane.awaitTaken("pb", 1);
            final long switchRxB = vplane.settled(() -> switchFrames(vplane, "rx", "pb"));
            final long aTx = statsA.txPackets();
            final long bRx = statsB.rxPackets();
            final long bTx = statsB.txPackets();
            final long switchRxA = switchFrames(vplane, "rx", "pa");
            final long switchTxA = switchFrames(vplane, "tx", "pa");
            final long switchTxB = switchFrames(vplane, "tx", "pb");
            System.out.printf("vswitch txonly->macswap: a TX %d, switch a->b %d (rx %d), b RX %d TX %d, " +
                "switch b->a %d (rx %d, refused %d)%n", aTx, switchTxB, switchRxA, bRx, bTx, switchTxA, switchRxB,
                switchDrops(vplane, "pa", "tx_refused"));
            final String why = vplane.why(a.output(), b.output());
            assertThat(switchRxA).as(why).isEqualTo(aTx);
            assertThat(switchTxB + switchDrops(vplane, "pb", "tx_refused")).as(why).isEqualTo(switchRxA);
            assertThat(bRx).as(why).isEqualTo(switchTxB);
            assertThat(switchRxB).as(why).isEqualTo(bTx).isPositive();
            assertThat(switchTxA).as("frames switched back to a; " + why).isPositive();
            assertThat(switchTxA + switchDrops(vplane, "pa", "tx_refused")).as(why).isEqualTo(switchRxB);
        }
    }

    @Test
    void shouldWakeAParkedSwitchWorkerWhenAVmKicks() throws Exception
    {
        // after 3.5 s idle a worker in timed parks (1 s doubling to 10 s) sleeps until 7 s; one that
        // sleeps in epoll on the ports' kicks wakes at once
        try (PortFixture vplane = twoPorts(true, "idle: {strategy: park, minParkNs: 1000000000, maxParkNs: 10000000000}");
            Testpmd b = Testpmd.launch(dir.resolve("pb.sock"), ",mac=" + MAC_B, dir, 0, "--forward-mode=rxonly", "--no-flush-rx");
            Testpmd a = Testpmd.launch(dir.resolve("pa.sock"), ",mac=" + MAC_A, dir, 1, "--forward-mode=io",
                "--eth-peer=0," + MAC_B, "--tx-ip=10.0.0.1,10.0.0.2"))
        {
            b.start();
            // round 1 also resets the timed parks (work was done); round 2 then starts from 1 s
            for (int round = 1; round <= 2; round++)
            {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(3_500));
                final long startNs = System.nanoTime();
                // io mode: one burst of 32 frames first, then nothing (b sends nothing back)
                a.startTxFirst();
                final long expected = 32L * round;
                while (switchFrames(vplane, "tx", "pb") < expected && System.nanoTime() - startNs < TimeUnit.SECONDS.toNanos(20))
                {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
                }
                final long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
                a.stop();
                System.out.printf("vswitch wake on kick: round %d, %d frames switched %d ms after an idle pause%n",
                    round, switchFrames(vplane, "tx", "pb"), waitedMs);
                final String why = vplane.why(a.output(), b.output());
                assertThat(switchFrames(vplane, "tx", "pb")).as(why).isEqualTo(expected);
                // well before the timed park would end: a kick ended the sleep (slack for a loaded machine)
                assertThat(waitedMs).as(why).isLessThan(2_500);
            }
            vplane.awaitGuestRead("pb", 0);
            final Testpmd.Stats statsB = b.stop();
            assertThat(statsB.rxPackets()).as(vplane.why(a.output(), b.output())).isEqualTo(64);
        }
    }

    private PortFixture twoPorts(final boolean antiSpoofing)
    {
        return twoPorts(antiSpoofing, "batch: 64");
    }

    /** The engine with a vSwitch vs0 and two switched vhost-user ports pa and pb; {@code pool}: net pool settings. */
    private PortFixture twoPorts(final boolean antiSpoofing, final String pool)
    {
        return new PortFixture(SwitchedPair.config(dir, pool, antiSpoofing, "10.0.0.1", "10.0.0.2"));
    }

    private static long switchFrames(final PortFixture vplane, final String direction, final String port)
    {
        return SwitchedPair.frames(vplane, direction, port);
    }

    private static long switchDrops(final PortFixture vplane, final String port, final String reason)
    {
        return SwitchedPair.drops(vplane, port, reason);
    }
}
