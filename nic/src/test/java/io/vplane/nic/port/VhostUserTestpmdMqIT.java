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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Interop with DPDK's virtio-user on several queue pairs ({@code queues=2}, VIRTIO_NET_F_MQ) and
 * with mergeable receive buffers asked for explicitly ({@code mrg_rxbuf=1}), frames that span two
 * receive buffers. Counts must match on both sides, exactly wherever the virtio PMD cannot have
 * flushed its receive ring at port start (see the rxonly tests).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class VhostUserTestpmdMqIT
{
    private static final long RUN_MS = 3_000;

    @TempDir
    Path dir;

    @Test
    void shouldCountEveryFrameTestpmdSendsOnTwoQueuePairsInTxonly() throws Exception
    {
        final Path socket = dir.resolve("mq0.sock");
        try (Harness harness = new Harness(socket, "sink", "idle", 2, 60))
        {
            try (Testpmd testpmd = Testpmd.start(socket, ",queues=2", dir, "--rxq=2", "--txq=2", "--forward-mode=txonly"))
            {
                harness.awaitTraffic(testpmd, "guest_tx", 1);
                harness.awaitTraffic(testpmd, "guest_tx", 3);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(RUN_MS));
                final String output = testpmd.stop();
                final long sent = Testpmd.lastTxPackets(output);
                final long received = harness.settledFrames("guest_tx", 1, 3);
                System.out.printf("mq txonly: testpmd TX-packets %d, vplane guest_tx frames %d (queue 1: %d, queue 3: %d)%n",
                    sent, received, harness.frames("guest_tx", 1), harness.frames("guest_tx", 3));
                final String why = String.format("testpmd output:%n%s%nvplane counters:%n%s", output, harness.dump());
                assertThat(sent).as(why).isGreaterThan(0);
                assertThat(received).as(why).isEqualTo(sent);
            }
        }
    }

    @Test
    void shouldDeliverEveryGeneratedFrameOnTwoQueuePairsInRxonly() throws Exception
    {
        final Path socket = dir.resolve("mq1.sock");
        try (Harness harness = new Harness(socket, "sink", "source", 2, 60))
        {
            try (Testpmd testpmd = Testpmd.start(socket, ",queues=2", dir, "--rxq=2", "--txq=2", "--forward-mode=rxonly",
                "--no-flush-rx"))
            {
                harness.awaitTraffic(testpmd, "guest_rx", 0);
                harness.awaitTraffic(testpmd, "guest_rx", 2);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(RUN_MS));
                harness.quiesceAndSettle("guest_rx", 0, 2);
                final String output = testpmd.stop();
                final long received = Testpmd.lastRxPackets(output);
                final long sent = harness.settledFrames("guest_rx", 0, 2);
                final long received0 = streamRxPackets(output, 0);
                final long received1 = streamRxPackets(output, 1);
                System.out.printf("mq rxonly: vplane guest_rx frames %d (queue 0: %d, queue 2: %d), testpmd RX-packets %d (%d + %d)%n",
                    sent, harness.frames("guest_rx", 0), harness.frames("guest_rx", 2), received, received0, received1);
                final String why = String.format("testpmd output:%n%s%nvplane counters:%n%s", output, harness.dump());
                assertThat(received1).as(why).isGreaterThan(0);
                assertThat(received0 + received1).as(why).isEqualTo(received);
                // the second pair starts with testpmd's port start: every frame must arrive
                assertThat(harness.frames("guest_rx", 2)).as(why).isEqualTo(received1);
                // the first pair runs from DRIVER_OK (at configure); the virtio PMD's port start then
                // flushes what its receive ring already held (at most one ring of 256) uncounted
                assertThat(harness.frames("guest_rx", 0) - received0).as(why).isBetween(0L, 256L);
            }
        }
    }

    @Test
    void shouldSpreadFramesOverMergeableBuffersWhenTestpmdAsksForMrgRxbuf() throws Exception
    {
        final Path socket = dir.resolve("mrg.sock");
        final int frameBytes = 3000;
        try (Harness harness = new Harness(socket, "sink", "source", 1, frameBytes))
        {
            // mbufs hold 2048 data bytes: each 3000-byte frame (plus 12-byte header) needs two buffers
            try (Testpmd testpmd = Testpmd.start(socket, ",mrg_rxbuf=1", dir, "--forward-mode=rxonly", "--no-flush-rx",
                "--enable-scatter", "--max-pkt-len=9000"))
            {
                harness.awaitTraffic(testpmd, "guest_rx", 0);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(RUN_MS));
                harness.quiesceAndSettle("guest_rx", 0);
                final String output = testpmd.stop();
                final long received = Testpmd.lastRxPackets(output);
                final long sent = harness.settledFrames("guest_rx", 0);
                System.out.printf("mrg_rxbuf rxonly: vplane guest_rx frames %d of %d bytes, testpmd RX-packets %d%n",
                    sent, frameBytes, received);
                final String why = String.format("testpmd output:%n%s%nvplane counters:%n%s", output, harness.dump());
                assertThat(received).as(why).isGreaterThan(0);
                // as on the first pair above: the PMD's port start may flush one ring (256 buffers,
                // 128 two-buffer frames) delivered after DRIVER_OK, uncounted
                assertThat(sent - received).as(why).isBetween(0L, 128L);
                assertThat(harness.value("vplane_vhost_bytes_total{port=\"mrg\",queue=\"0\",dir=\"guest_rx\"}")).as(why)
                    .isEqualTo(sent * frameBytes);
                assertThat(harness.value("vplane_vhost_drops_total{port=\"mrg\",queue=\"0\",reason=\"frame_too_big\"}")).as(why)
                    .isZero();
            }
        }
    }

    /** RX-packets of testpmd's forward stream for receive queue {@code queue} (its final statistics). */
    private static long streamRxPackets(final String output, final int queue)
    {
        final Matcher matcher = Pattern.compile("RX Port= *0/Queue= *" + queue + " .*?\\n\\s*RX-packets:\\s+(\\d+)").matcher(output);
        long value = -1;
        while (matcher.find())
        {
            value = Long.parseLong(matcher.group(1));
        }
        return value;
    }

    /** The engine with one vhost-user port of {@code pairs} queue pairs, counters in memory. */
    private static final class Harness implements AutoCloseable
    {
        private final Counters counters = Counters.inMemory(1024);
        private final Engine engine;
        private final String port;

        Harness(final Path socket, final String guestTx, final String guestRx, final int pairs, final int frameBytes)
        {
            this.port = socket.getFileName().toString().replace(".sock", "");
            final VplaneConfig config = ConfigLoader.parse("""
                pools:
                  net:
                    batch: 64
                devices:
                  vhostUser:
                    - {name: %s, socketPath: '%s', guestTx: %s, guestRx: %s, queuePairs: %d, sourceFrameBytes: %d}
                """.formatted(port, socket, guestTx, guestRx, pairs, frameBytes), "it.yaml");
            engine = new Engine(config, counters, new ErrorLog(counters));
        }

        void awaitTraffic(final Testpmd testpmd, final String direction, final int queue) throws Exception
        {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (frames(direction, queue) == 0)
            {
                if (!testpmd.isAlive() || System.nanoTime() - deadline > 0)
                {
                    throw new AssertionError("no traffic on " + port + " queue " + queue + " " + direction +
                        "; testpmd output:\n" + testpmd.output() + "\nvplane counters:\n" + dump());
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
            }
        }

        /** Stops feeding the guest, then gives testpmd time to read what is left in its receive rings. */
        void quiesceAndSettle(final String direction, final int... queues)
        {
            engine.device(port).quiesce();
            settledFrames(direction, queues);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1_000));
        }

        /** The frame count over {@code queues} once it stopped changing. */
        long settledFrames(final String direction, final int... queues)
        {
            long last = -1;
            long now = sum(direction, queues);
            while (now != last)
            {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
                last = now;
                now = sum(direction, queues);
            }
            return now;
        }

        private long sum(final String direction, final int... queues)
        {
            long total = 0;
            for (final int queue : queues)
            {
                total += frames(direction, queue);
            }
            return total;
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
