package io.vplane.nic.port;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Interop with DPDK's virtio-user on several queue pairs ({@code queues=2}, VIRTIO_NET_F_MQ) and
 * with mergeable receive buffers asked for explicitly ({@code mrg_rxbuf=1}), frames that span two
 * receive buffers. Counts must match on both sides, exactly wherever the virtio PMD cannot have
 * flushed its receive ring at port start (see the rxonly tests).
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class VhostUserTestpmdMqIT
{
    private static final long RUN_MS = 3_000;

    @TempDir
    Path dir;

    @Test
    void shouldCountEveryFrameTestpmdSendsOnTwoQueuePairsInTxonly() throws Exception
    {
        final Path socket = dir.resolve("mq0.sock");
        try (PortFixture vplane = PortFixture.onePort("name: mq0, socketPath: '" + socket + "', guestTx: sink, queuePairs: 2");
            Testpmd testpmd = Testpmd.launch(socket, ",queues=2", dir, 1, "--rxq=2", "--txq=2", "--forward-mode=txonly"))
        {
            testpmd.start();
            vplane.awaitPositive(() -> vplane.vhostFrames("mq0", "guest_tx", 1), "frames on queue 1", testpmd);
            vplane.awaitPositive(() -> vplane.vhostFrames("mq0", "guest_tx", 3), "frames on queue 3", testpmd);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(RUN_MS));
            final Testpmd.Stats stats = testpmd.stop();
            vplane.awaitTaken("mq0", 1, 3);
            final long received = vplane.settled(() -> vplane.vhostFrames("mq0", "guest_tx", 1, 3));
            System.out.printf("mq txonly: testpmd TX-packets %d, vplane guest_tx frames %d (queue 1: %d, queue 3: %d)%n",
                stats.txPackets(), received, vplane.vhostFrames("mq0", "guest_tx", 1), vplane.vhostFrames("mq0", "guest_tx", 3));
            final String why = vplane.why(testpmd.output());
            assertThat(stats.txPackets()).as(why).isGreaterThan(0);
            assertThat(received).as(why).isEqualTo(stats.txPackets());
        }
    }

    @Test
    void shouldDeliverEveryGeneratedFrameOnTwoQueuePairsInRxonly() throws Exception
    {
        final Path socket = dir.resolve("mq1.sock");
        try (PortFixture vplane = PortFixture.onePort("name: mq1, socketPath: '" + socket +
            "', guestTx: sink, guestRx: source, queuePairs: 2, sourceFrameBytes: 60").holdFeeding("mq1");
            Testpmd testpmd = Testpmd.launch(socket, ",queues=2", dir, 1, "--rxq=2", "--txq=2", "--forward-mode=rxonly",
                "--no-flush-rx"))
        {
            // held until testpmd's port has started (its prompt): the virtio PMD drops, uncounted,
            // what its receive rings hold when it starts its queues (virtqueue_rxvq_flush)
            vplane.resumeFeeding("mq1");
            testpmd.start();
            vplane.awaitPositive(() -> vplane.vhostFrames("mq1", "guest_rx", 0), "frames on queue 0", testpmd);
            vplane.awaitPositive(() -> vplane.vhostFrames("mq1", "guest_rx", 2), "frames on queue 2", testpmd);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(RUN_MS));
            final PortFixture.Delivered delivered = vplane.stopFeeding("mq1", testpmd, 0, 2);
            final Testpmd.Stats stats = delivered.stats();
            final long sent = delivered.sent();
            final long received0 = stats.streamRxPackets(0);
            final long received1 = stats.streamRxPackets(1);
            System.out.printf("mq rxonly: vplane guest_rx frames %d (queue 0: %d, queue 2: %d), testpmd RX-packets %d (%d + %d)%n",
                sent, vplane.vhostFrames("mq1", "guest_rx", 0), vplane.vhostFrames("mq1", "guest_rx", 2), stats.rxPackets(),
                received0, received1);
            final String why = vplane.why(testpmd.output());
            assertThat(received1).as(why).isGreaterThan(0);
            assertThat(received0 + received1).as(why).isEqualTo(stats.rxPackets());
            assertThat(vplane.vhostFrames("mq1", "guest_rx", 0)).as(why).isEqualTo(received0);
            assertThat(vplane.vhostFrames("mq1", "guest_rx", 2)).as(why).isEqualTo(received1);
        }
    }

    @Test
    void shouldSpreadFramesOverMergeableBuffersWhenTestpmdAsksForMrgRxbuf() throws Exception
    {
        final Path socket = dir.resolve("mrg.sock");
        final int frameBytes = 3000;
        try (PortFixture vplane = PortFixture.onePort("name: mrg, socketPath: '" + socket +
            "', guestTx: sink, guestRx: source, sourceFrameBytes: " + frameBytes).holdFeeding("mrg");
            // mbufs hold 2048 data bytes: each 3000-byte frame (plus 12-byte header) needs two buffers
            Testpmd testpmd = Testpmd.launch(socket, ",mrg_rxbuf=1", dir, 1, "--forward-mode=rxonly", "--no-flush-rx",
                "--enable-scatter", "--max-pkt-len=9000"))
        {
            // held until testpmd's port has started, as on the two pairs above
            vplane.resumeFeeding("mrg");
            testpmd.start();
            vplane.awaitPositive(() -> vplane.vhostFrames("mrg", "guest_rx", 0), "frames to testpmd", testpmd);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(RUN_MS));
            final PortFixture.Delivered delivered = vplane.stopFeeding("mrg", testpmd, 0);
            final long sent = delivered.sent();
            final long received = delivered.stats().rxPackets();
            System.out.printf("mrg_rxbuf rxonly: vplane guest_rx frames %d of %d bytes, testpmd RX-packets %d%n",
                sent, frameBytes, received);
            final String why = vplane.why(testpmd.output());
            assertThat(received).as(why).isGreaterThan(0);
            assertThat(sent).as(why).isEqualTo(received);
            assertThat(vplane.value("vplane_vhost_bytes_total{port=\"mrg\",queue=\"0\",dir=\"guest_rx\"}")).as(why)
                .isEqualTo(sent * frameBytes);
            assertThat(vplane.vhostDrops("mrg", 0, "frame_too_big")).as(why).isZero();
        }
    }
}
