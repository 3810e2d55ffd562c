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
 * Interop with DPDK's virtio-user (testpmd) as the frontend: vplane serves the port in-process
 * through the engine (the provider found by ServiceLoader), testpmd connects to its socket.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class VhostUserTestpmdIT
{
    private static final long RUN_MS = 3_000;

    @TempDir
    Path dir;

    @Test
    void shouldCountEveryFrameTestpmdSendsInTxonly() throws Exception
    {
        final Path socket = dir.resolve("vp0.sock");
        try (Harness harness = new Harness(socket, "sink", "idle"))
        {
            try (Testpmd testpmd = Testpmd.start(socket, "", dir, "--forward-mode=txonly"))
            {
                harness.awaitTraffic(testpmd, "guest_tx");
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(RUN_MS));
                final String output = testpmd.stop();
                final long sent = Testpmd.lastTxPackets(output);
                final long received = harness.settledFrames("guest_tx", 1);
                System.out.printf("txonly: testpmd TX-packets %d, vplane guest_tx frames %d in %d ms%n", sent, received, RUN_MS);
                assertThat(sent).as("testpmd output:%n%s%nvplane counters:%n%s", output, harness.dump()).isGreaterThan(0);
                assertThat(received).as("testpmd output:%n%s%nvplane counters:%n%s", output, harness.dump()).isEqualTo(sent);
                assertThat(harness.value("vplane_vhost_bytes_total{port=\"vp0\",queue=\"1\",dir=\"guest_tx\"}"))
                    .isEqualTo(sent * 64);
            }
        }
    }

    @Test
    void shouldDeliverEveryGeneratedFrameToTestpmdInRxonly() throws Exception
    {
        final Path socket = dir.resolve("vp1.sock");
        try (Harness harness = new Harness(socket, "sink", "source"))
        {
            try (Testpmd testpmd = Testpmd.start(socket, "", dir, "--forward-mode=rxonly", "--no-flush-rx"))
            {
                harness.awaitTraffic(testpmd, "guest_rx");
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(RUN_MS));
                harness.quiesceAndSettle();
                final String output = testpmd.stop();
                final long received = Testpmd.lastRxPackets(output);
                final long sent = harness.settledFrames("guest_rx", 0);
                System.out.printf("rxonly: vplane guest_rx frames %d, testpmd RX-packets %d in %d ms%n", sent, received, RUN_MS);
                assertThat(received).as("testpmd output:%n%s%nvplane counters:%n%s", output, harness.dump()).isGreaterThan(0);
                assertThat(sent).as("testpmd output:%n%s%nvplane counters:%n%s", output, harness.dump()).isEqualTo(received);
            }
        }
    }

    @Test
    void shouldReturnEveryFrameToTestpmdInIoModeWithLoopback() throws Exception
    {
        final Path socket = dir.resolve("vp2.sock");
        try (Harness harness = new Harness(socket, "loopback", "idle"))
        {
            // io mode forwards what it receives; txfirst primes the loop with one burst
            try (Testpmd testpmd = Testpmd.start(socket, "", dir, "--forward-mode=io", "--tx-first", "--no-flush-rx"))
            {
                harness.awaitTraffic(testpmd, "guest_rx");
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(RUN_MS));
                harness.quiesceAndSettle();
                final String output = testpmd.stop();
                final long testpmdRx = Testpmd.lastRxPackets(output);
                final long testpmdTx = Testpmd.lastTxPackets(output);
                final long vplaneRx = harness.settledFrames("guest_tx", 1);
                final long vplaneTx = harness.settledFrames("guest_rx", 0);
                System.out.printf("io+loopback: testpmd TX %d RX %d, vplane guest_tx %d guest_rx %d%n",
                    testpmdTx, testpmdRx, vplaneRx, vplaneTx);
                final String why = String.format("testpmd output:%n%s%nvplane counters:%n%s", output, harness.dump());
                assertThat(testpmdRx).as(why).isGreaterThan(0);
                assertThat(vplaneRx).as(why).isEqualTo(testpmdTx);
                assertThat(vplaneTx).as(why).isEqualTo(testpmdRx);
                assertThat(vplaneRx - vplaneTx).as(why)
                    .isEqualTo(harness.value("vplane_vhost_drops_total{port=\"vp2\",queue=\"1\",reason=\"quiesced\"}") +
                        harness.value("vplane_vhost_drops_total{port=\"vp2\",queue=\"0\",reason=\"no_rx_buffer\"}"));
            }
        }
    }

    @Test
    void shouldResumeTrafficWhenVplaneRestartsInClientMode() throws Exception
    {
        final Path socket = dir.resolve("vp3.sock");
        // testpmd listens (server=1) and keeps its rings while vplane goes away and comes back
        try (Testpmd testpmd = Testpmd.start(socket, ",server=1", dir, "--forward-mode=txonly"))
        {
            long first;
            try (Harness harness = new Harness(socket, "sink", "idle", "client"))
            {
                harness.awaitTraffic(testpmd, "guest_tx");
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1_000));
                first = harness.frames("guest_tx", 1);
            }
            try (Harness again = new Harness(socket, "sink", "idle", "client"))
            {
                again.awaitTraffic(testpmd, "guest_tx");
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1_000));
                final long second = again.frames("guest_tx", 1);
                final String output = testpmd.stop();
                System.out.printf("restart: %d frames before, %d after vplane restarted%n", first, second);
                final String why = String.format("testpmd output:%n%s%nvplane counters:%n%s", output, again.dump());
                assertThat(first).as(why).isPositive();
                assertThat(second).as(why).isPositive();
                assertThat(again.value("vplane_vhost_ring_errors_total{port=\"vp3\",queue=\"1\"}")).as(why).isZero();
                assertThat(again.value("vplane_vhost_protocol_errors_total{port=\"vp3\"}")).as(why).isZero();
            }
        }
    }

    /** The engine with one vhost-user port on its embedded defaults, counters in memory. */
    private static final class Harness implements AutoCloseable
    {
        private final Counters counters = Counters.inMemory(1024);
        private final Engine engine;
        private final String port;

        Harness(final Path socket, final String guestTx, final String guestRx)
        {
            this(socket, guestTx, guestRx, "server");
        }

        Harness(final Path socket, final String guestTx, final String guestRx, final String mode)
        {
            final String name = socket.getFileName().toString().replace(".sock", "");
            this.port = name;
            final VplaneConfig config = ConfigLoader.parse("""
                pools:
                  net:
                    batch: 64
                devices:
                  vhostUser:
                    - {name: %s, socketPath: '%s', guestTx: %s, guestRx: %s, mode: %s}
                """.formatted(name, socket, guestTx, guestRx, mode), "it.yaml");
            engine = new Engine(config, counters, new ErrorLog(counters));
        }

        void awaitTraffic(final Testpmd testpmd, final String direction) throws Exception
        {
            final int queue = "guest_rx".equals(direction) ? 0 : 1;
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (frames(direction, queue) == 0)
            {
                if (!testpmd.isAlive() || System.nanoTime() - deadline > 0)
                {
                    throw new AssertionError("no traffic on " + port + " " + direction + "; testpmd output:\n" +
                        testpmd.output() + "\nvplane counters:\n" + dump());
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
            }
        }

        /**
         * Stops the port feeding the guest, then gives testpmd time to read what is left in its
         * receive ring, so both sides' counts are final.
         */
        void quiesceAndSettle()
        {
            engine.device(port).quiesce();
            settledFrames("guest_rx", 0);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1_000));
        }

        /** The frame count once it stopped changing (the port drained what testpmd left in its rings). */
        long settledFrames(final String direction, final int queue)
        {
            long last = -1;
            long now = frames(direction, queue);
            while (now != last)
            {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
                last = now;
                now = frames(direction, queue);
            }
            return now;
        }

        long frames(final String direction, final int queue)
        {
            return value("vplane_vhost_frames_total{port=\"" + port + "\",queue=\"" + queue + "\",dir=\"" + direction + "\"}");
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

        String dump()
        {
            final StringBuilder text = new StringBuilder();
            final CountersReader reader = counters.reader();
            reader.forEach((counterId, typeId, keyBuffer, label) ->
            {
                if (label.startsWith("vplane_vhost") || label.startsWith("vplane_errors"))
                {
                    text.append(label).append(' ').append(reader.getCounterValue(counterId)).append('\n');
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
