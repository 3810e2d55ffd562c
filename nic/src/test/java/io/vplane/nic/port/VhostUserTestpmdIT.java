package io.vplane.nic.port;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Interop with DPDK's virtio-user (testpmd) as the frontend: vplane serves the port in-process
 * through the engine (the provider found by ServiceLoader), testpmd connects to its socket. Counts
 * are compared after the drain of {@link PortFixture}: sender stopped, receiver drained, so they
 * must match exactly.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class VhostUserTestpmdIT
{
    private static final long RUN_MS = 3_000;

    @TempDir
    Path dir;

    @Test
    void shouldCountEveryFrameTestpmdSendsInTxonly() throws Exception
    {
        final Path socket = dir.resolve("vp0.sock");
        try (PortFixture vplane = PortFixture.onePort("name: vp0, socketPath: '" + socket + "', guestTx: sink");
            Testpmd testpmd = Testpmd.launch(socket, "", dir, 1, "--forward-mode=txonly"))
        {
            testpmd.start();
            vplane.awaitPositive(() -> vplane.vhostFrames("vp0", "guest_tx", 1), "frames from testpmd", testpmd);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(RUN_MS));
            final Testpmd.Stats stats = testpmd.stop();
            vplane.awaitTaken("vp0", 1);
            final long received = vplane.settled(() -> vplane.vhostFrames("vp0", "guest_tx", 1));
            final long sent = stats.txPackets();
            System.out.printf("txonly: testpmd TX-packets %d, vplane guest_tx frames %d in %d ms%n", sent, received, RUN_MS);
            final String why = vplane.why(testpmd.output());
            assertThat(sent).as(why).isGreaterThan(0);
            assertThat(received).as(why).isEqualTo(sent);
            assertThat(vplane.value("vplane_vhost_bytes_total{port=\"vp0\",queue=\"1\",dir=\"guest_tx\"}")).as(why)
                .isEqualTo(sent * 64);
        }
    }

    @Test
    void shouldDeliverEveryGeneratedFrameToTestpmdInRxonly() throws Exception
    {
        final Path socket = dir.resolve("vp1.sock");
        // held until testpmd's port has started (its prompt): the driver drops what its ring holds then
        try (PortFixture vplane = PortFixture.onePort("name: vp1, socketPath: '" + socket + "', guestTx: sink, guestRx: source")
                .holdFeeding("vp1");
            Testpmd testpmd = Testpmd.launch(socket, "", dir, 1, "--forward-mode=rxonly", "--no-flush-rx"))
        {
            vplane.resumeFeeding("vp1");
            testpmd.start();
            vplane.awaitPositive(() -> vplane.vhostFrames("vp1", "guest_rx", 0), "frames to testpmd", testpmd);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(RUN_MS));
            final PortFixture.Delivered delivered = vplane.stopFeeding("vp1", testpmd, 0);
            final long sent = delivered.sent();
            final long received = delivered.stats().rxPackets();
            System.out.printf("rxonly: vplane guest_rx frames %d, testpmd RX-packets %d in %d ms%n", sent, received, RUN_MS);
            final String why = vplane.why(testpmd.output());
            assertThat(received).as(why).isGreaterThan(0);
            assertThat(sent).as(why).isEqualTo(received);
        }
    }

    @Test
    void shouldReturnEveryFrameToTestpmdInIoModeWithLoopback() throws Exception
    {
        final Path socket = dir.resolve("vp2.sock");
        try (PortFixture vplane = PortFixture.onePort("name: vp2, socketPath: '" + socket + "', guestTx: loopback");
            Testpmd testpmd = Testpmd.launch(socket, "", dir, 1, "--forward-mode=io", "--no-flush-rx"))
        {
            // io mode forwards what it receives; tx_first primes the loop with one burst
            testpmd.startTxFirst();
            vplane.awaitPositive(() -> vplane.vhostFrames("vp2", "guest_rx", 0), "frames looped to testpmd", testpmd);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(RUN_MS));
            // vplane stops feeding testpmd; testpmd reads (and sends back) every frame in its ring
            vplane.quiesce("vp2");
            vplane.awaitGuestRead("vp2", 0);
            // testpmd stops after transmitting the burst it is in; vplane takes all of it
            final Testpmd.Stats stats = testpmd.stop();
            vplane.awaitTaken("vp2", 1);
            final long vplaneRx = vplane.settled(() -> vplane.vhostFrames("vp2", "guest_tx", 1));
            final long vplaneTx = vplane.vhostFrames("vp2", "guest_rx", 0);
            System.out.printf("io+loopback: testpmd TX %d RX %d, vplane guest_tx %d guest_rx %d%n",
                stats.txPackets(), stats.rxPackets(), vplaneRx, vplaneTx);
            final String why = vplane.why(testpmd.output());
            assertThat(stats.rxPackets()).as(why).isGreaterThan(0);
            assertThat(vplaneRx).as(why).isEqualTo(stats.txPackets());
            assertThat(vplaneTx).as(why).isEqualTo(stats.rxPackets());
            assertThat(vplaneRx - vplaneTx).as(why)
                .isEqualTo(vplane.vhostDrops("vp2", 1, "quiesced") + vplane.vhostDrops("vp2", 0, "no_rx_buffer"));
        }
    }

    @Test
    void shouldCountEveryFrameOnceWhenVplaneRestartsWhileTestpmdSends() throws Exception
    {
        final Path socket = dir.resolve("vp3.sock");
        final String entry = "name: vp3, socketPath: '" + socket + "', guestTx: sink, mode: client";
        // testpmd listens (server=1) and keeps its rings while vplane goes away and comes back;
        // on reconnect virtio-user says base 0 and vplane resumes from the used index in its memory
        try (Testpmd testpmd = Testpmd.spawn(socket, ",server=1", dir, 1, "--forward-mode=txonly"))
        {
            final LongSupplier first;
            try (PortFixture vplane = PortFixture.onePort(entry))
            {
                first = vplane.counterById("vplane_vhost_frames_total{port=\"vp3\",queue=\"1\",dir=\"guest_tx\"}");
                testpmd.awaitPrompt();
                testpmd.start();
                vplane.awaitPositive(() -> vplane.vhostFrames("vp3", "guest_tx", 1), "frames from testpmd", testpmd);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1_000));
                // closing takes what testpmd made available before the ring stopped
            }
            try (PortFixture again = PortFixture.onePort(entry))
            {
                again.awaitPositive(() -> again.vhostFrames("vp3", "guest_tx", 1), "frames after the restart", testpmd);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1_000));
                final Testpmd.Stats stats = testpmd.stop();
                again.awaitTaken("vp3", 1);
                final long second = again.settled(() -> again.vhostFrames("vp3", "guest_tx", 1));
                System.out.printf("restart: testpmd TX %d; vplane %d frames before, %d after it restarted%n",
                    stats.txPackets(), first.getAsLong(), second);
                final String why = again.why(testpmd.output());
                assertThat(first.getAsLong()).as(why).isPositive();
                assertThat(second).as(why).isPositive();
                // no frame lost in the restart, none counted twice
                assertThat(first.getAsLong() + second).as(why).isEqualTo(stats.txPackets());
                assertThat(again.value("vplane_vhost_ring_errors_total{port=\"vp3\",queue=\"1\"}")).as(why).isZero();
                assertThat(again.value("vplane_vhost_protocol_errors_total{port=\"vp3\"}")).as(why).isZero();
            }
        }
    }

    @Test
    void shouldDeliverEveryFrameOnceWhenVplaneRestartsWhileFeedingTestpmd() throws Exception
    {
        final Path socket = dir.resolve("vp4.sock");
        final String entry = "name: vp4, socketPath: '" + socket + "', guestTx: sink, guestRx: source, mode: client";
        try (Testpmd testpmd = Testpmd.spawn(socket, ",server=1", dir, 1, "--forward-mode=rxonly", "--no-flush-rx"))
        {
            final LongSupplier first;
            // held until testpmd's port has started: its driver drops what its ring holds then (the
            // frontend waits for vplane's connection, its port starts only after the handshake)
            try (PortFixture vplane = PortFixture.onePort(entry).holdFeeding("vp4"))
            {
                first = vplane.counterById("vplane_vhost_frames_total{port=\"vp4\",queue=\"0\",dir=\"guest_rx\"}");
                testpmd.awaitPrompt();
                vplane.resumeFeeding("vp4");
                testpmd.start();
                vplane.awaitPositive(first, "frames to testpmd", testpmd);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1_000));
            }
            try (PortFixture again = PortFixture.onePort(entry))
            {
                again.awaitPositive(() -> again.vhostFrames("vp4", "guest_rx", 0), "frames after the restart", testpmd);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1_000));
                final PortFixture.Delivered delivered = again.stopFeeding("vp4", testpmd, 0);
                final Testpmd.Stats stats = delivered.stats();
                final long second = delivered.sent();
                System.out.printf("restart rx: testpmd RX %d; vplane %d frames before, %d after it restarted%n",
                    stats.rxPackets(), first.getAsLong(), second);
                final String why = again.why(testpmd.output());
                assertThat(first.getAsLong()).as(why).isPositive();
                assertThat(second).as(why).isPositive();
                // every frame published before the restart was read once; none was written twice
                assertThat(first.getAsLong() + second).as(why).isEqualTo(stats.rxPackets());
                assertThat(again.value("vplane_vhost_ring_errors_total{port=\"vp4\",queue=\"0\"}")).as(why).isZero();
            }
        }
    }

    @Test
    void shouldWakeAParkedWorkerWhenTestpmdKicks() throws Exception
    {
        final Path socket = dir.resolve("vp5.sock");
        // after 3.5 s idle a worker in timed parks (1 s doubling to 10 s) sleeps until 7 s; one that
        // sleeps in epoll wakes on the kick at once
        try (PortFixture vplane = new PortFixture("""
                pools:
                  net:
                    idle: {strategy: park, minParkNs: 1000000000, maxParkNs: 10000000000}
                devices:
                  vhostUser:
                    - {name: vp5, socketPath: '%s', guestTx: sink}
                """.formatted(socket));
            Testpmd testpmd = Testpmd.launch(socket, "", dir, 1, "--forward-mode=io"))
        {
            // round 1 also resets the timed parks (work was done), so round 2 starts them from 1 s
            for (int round = 1; round <= 2; round++)
            {
                // idle long enough for the worker to be asleep, then one burst of 32 frames
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(3_500));
                final long startNs = System.nanoTime();
                testpmd.startTxFirst();
                final long expected = 32L * round;
                while (vplane.vhostFrames("vp5", "guest_tx", 1) < expected && System.nanoTime() - startNs < TimeUnit.SECONDS.toNanos(20))
                {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
                }
                final long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
                testpmd.stop();
                System.out.printf("wake on kick: round %d, %d frames in %d ms after an idle pause%n",
                    round, vplane.vhostFrames("vp5", "guest_tx", 1), waitedMs);
                final String why = vplane.why(testpmd.output());
                assertThat(vplane.vhostFrames("vp5", "guest_tx", 1)).as(why).isEqualTo(expected);
                // well before the timed park would end: the kick ended the sleep (slack for a loaded machine)
                assertThat(waitedMs).as(why).isLessThan(2_500);
            }
        }
    }
}
