package io.vplane.nic.port;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The PVP loop of {@code perf/bin/vswitch-pvp}, checked for counts, not speed: one testpmd holds
 * both VMs' drivers (two virtio-user ports on two switched ports of one vSwitch) in {@code io} mode
 * and starts with {@code start tx_first 16}, so the same frames go a → switch → b → testpmd → a
 * over and over. Once they have made many passes, the switch stops feeding both VMs
 * ({@code quiesce}); testpmd reads what its rings still hold and sends it back, the switch takes and
 * refuses it; then testpmd stops. Every count must then agree exactly, per direction: testpmd TX of
 * a port = switch rx of that port; switch rx of a = switch tx to b + {@code tx_refused} at b;
 * switch tx to b = testpmd RX of b. Plain L2 (the table holds none of the frames' IPs: every frame
 * is a table miss) and routed (the table holds them: a's frames go to b by a table hit).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class VswitchPvpTestpmdIT
{
    private static final String MAC_A = SwitchedPair.MAC_A;
    private static final String MAC_B = SwitchedPair.MAC_B;
    /** Frames through the switch from a before the loop is ended: dozens of passes of the ≤ 512 injected. */
    private static final long PASSES_FRAMES = 20_000;
    private static final long CIRCULATE_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(60);

    @TempDir
    Path dir;

    @Test
    void shouldCirculateTheFramesOfTxFirstThroughThePlainL2SwitchWithEveryCountMatching() throws Exception
    {
        loop(false);
    }

    @Test
    void shouldCirculateTheFramesOfTxFirstRoutedByTheTableWithEveryCountMatching() throws Exception
    {
        loop(true);
    }

    private void loop(final boolean routed) throws Exception
    {
        try (PortFixture vplane = new PortFixture(config(routed));
            Testpmd vms = Testpmd.launchTwoPorts(dir.resolve("pa.sock"), ",mac=" + MAC_A, dir.resolve("pb.sock"), ",mac=" + MAC_B,
                dir, 1, "--forward-mode=io", "--eth-peer=0," + MAC_B, "--eth-peer=1," + MAC_A, "--no-flush-rx"))
        {
            vms.startTxFirst(16);
            final long startNs = System.nanoTime();
            while (rx(vplane, "pa") < PASSES_FRAMES)
            {
                if (!vms.isAlive() || System.nanoTime() - startNs > CIRCULATE_TIMEOUT_NS)
                {
                    throw new AssertionError("frames did not circulate: switch rx(pa) " + rx(vplane, "pa") + "; " +
                        vplane.why(vms.output()));
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            }
            final long loopMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
            // end of the loop: nothing enters a VM any more; testpmd sends back what it still reads
            vplane.quiesce("pa");
            vplane.quiesce("pb");
            vplane.awaitGuestRead("pa", 0);
            vplane.awaitGuestRead("pb", 0);
            vplane.settled(() -> rx(vplane, "pa") + rx(vplane, "pb"));
            final Testpmd.Stats stats = vms.stop();
            vplane.awaitTaken("pa", 1);
            vplane.awaitTaken("pb", 1);
            final long rxA = vplane.settled(() -> rx(vplane, "pa"));
            final long rxB = vplane.settled(() -> rx(vplane, "pb"));
            final long txA = tx(vplane, "pa");
            final long txB = tx(vplane, "pb");
            final long refusedA = refused(vplane, "pa");
            final long refusedB = refused(vplane, "pb");
            System.out.printf("vswitch PVP loop (%s): %d ms to %d frames from a; testpmd TX a %d b %d, RX a %d b %d; " +
                    "switch rx a %d b %d, tx a %d b %d, refused a %d b %d%n", routed ? "routed" : "plain L2", loopMs,
                PASSES_FRAMES, stats.portTxPackets(0), stats.portTxPackets(1), stats.portRxPackets(0), stats.portRxPackets(1),
                rxA, rxB, txA, txB, refusedA, refusedB);
            final String why = vplane.why(vms.output());
            // what testpmd sent, the switch took, from each VM
            assertThat(rxA).as(why).isEqualTo(stats.portTxPackets(0)).isGreaterThanOrEqualTo(PASSES_FRAMES);
            assertThat(rxB).as(why).isEqualTo(stats.portTxPackets(1)).isPositive();
            assertThat(vplane.vhostFrames("pa", "guest_tx", 1)).as(why).isEqualTo(rxA);
            // everything it took went to the other VM or was refused (at the end, quiesced): no other drop
            assertThat(txB + refusedB).as(why).isEqualTo(rxA);
            assertThat(txA + refusedA).as(why).isEqualTo(rxB);
            // and the other VM read every frame it was given
            assertThat(stats.portRxPackets(1)).as(why).isEqualTo(txB);
            assertThat(stats.portRxPackets(0)).as(why).isEqualTo(txA);
            // refusals only at the end: at most what was in flight (≤ 512 injected per VM)
            assertThat(refusedA + refusedB).as(why).isLessThanOrEqualTo(1024);
            if (routed)
            {
                // a's frames (to 198.18.0.2, b's IP) go VM to VM by the table; b's frames (same IPs) hit
                // b's own entry and go by their MAC
                assertThat(vplane.value("vplane_vswitch_vm_to_vm_total{switch=\"vs0\"}")).as(why).isEqualTo(rxA);
                assertThat(vplane.value("vplane_vswitch_table_hits_total{switch=\"vs0\"}")).as(why).isEqualTo(rxA + rxB);
            }
            else
            {
                assertThat(vplane.value("vplane_vswitch_vm_to_vm_total{switch=\"vs0\"}")).as(why).isZero();
                assertThat(vplane.value("vplane_vswitch_table_misses_total{switch=\"vs0\"}")).as(why).isEqualTo(rxA + rxB);
            }
        }
    }

    /** testpmd's generated frames all carry 198.18.0.1 → 198.18.0.2: routed puts those IPs in the table. */
    private String config(final boolean routed)
    {
        return routed
            ? SwitchedPair.config(dir, "batch: 64", false, "198.18.0.1", "198.18.0.2")
            : SwitchedPair.config(dir, "batch: 64", false, "10.0.0.1", "10.0.0.2");
    }

    private static long rx(final PortFixture vplane, final String port)
    {
        return SwitchedPair.frames(vplane, "rx", port);
    }

    private static long tx(final PortFixture vplane, final String port)
    {
        return SwitchedPair.frames(vplane, "tx", port);
    }

    private static long refused(final PortFixture vplane, final String port)
    {
        return SwitchedPair.drops(vplane, port, "tx_refused");
    }
}
