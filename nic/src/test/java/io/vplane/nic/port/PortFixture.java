package io.vplane.nic.port;

import io.vplane.engine.Engine;
import io.vplane.engine.counters.Counters;
import io.vplane.engine.device.DeviceKinds;
import io.vplane.engine.errors.ErrorLog;
import org.agrona.concurrent.status.CountersReader;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * The engine in-process with the vhost-user ports of a config snippet, counters in memory, and the
 * steps that make both sides' counts final before they are compared with testpmd's:
 * <ol>
 * <li>the sender stops: testpmd {@code stop}, or {@link #quiesce} when vplane feeds the guest
 *     (it returns once no frame can enter the guest any more);</li>
 * <li>the receiver drains: {@link #awaitTaken} (vplane took every buffer the guest made available)
 *     or {@link #awaitGuestRead} (the guest read every frame: each receive buffer is available again);</li>
 * <li>only then are the counts read (testpmd's from its {@code stop}, vplane's once settled).</li>
 * </ol>
 * The drains look at the rings, not at the clock, so a slow, loaded machine only makes them slower.
 */
final class PortFixture implements AutoCloseable
{
    private static final long DRAIN_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(30);
    private static final long SETTLE_NS = TimeUnit.MILLISECONDS.toNanos(300);

    private final Counters counters;
    private final Engine engine;

    /** @param yaml a complete config (pools, devices, vswitch) without a daemon section: sockets may be in any temporary directory */
    PortFixture(final String yaml)
    {
        counters = Counters.inMemory(2048);
        final String daemon = "daemon: {socketDir: '" + System.getProperty("java.io.tmpdir") + "'}\n";
        engine = new Engine(DeviceKinds.load().parse(daemon + yaml, "it.yaml"), counters, new ErrorLog(counters));
    }

    /** One vhost-user port on a {@code net} pool with batch 64; {@code entry} is its flow-map body. */
    static PortFixture onePort(final String entry)
    {
        return new PortFixture("""
            pools:
              net:
                batch: 64
            devices:
              vhostUser:
                - {%s}
            """.formatted(entry));
    }

    VhostUserPort port(final String name)
    {
        return (VhostUserPort)engine.device(name);
    }

    /** Stops the port feeding its guests; returns once a burst under way has ended. */
    void quiesce(final String port)
    {
        engine.device(port).quiesce();
    }

    /**
     * Holds the port's source until {@link #resumeFeeding}: DPDK's virtio driver starts its port by
     * dropping, uncounted, every frame its receive ring already holds (virtio_dev_start, "Flush the
     * old packets"), so frames fed while testpmd starts its port never reach its statistics.
     */
    PortFixture holdFeeding(final String port)
    {
        quiesce(port);
        return this;
    }

    /** Feeds the guest again after {@link #holdFeeding}, once its port has started. */
    void resumeFeeding(final String port)
    {
        port(port).resume();
    }

    /** Waits until the port took every buffer the guest made available on {@code queues} (transmit). */
    void awaitTaken(final String port, final int... queues)
    {
        final VhostUserPort device = port(port);
        for (final int queue : queues)
        {
            await(() -> device.untaken(queue) == 0, port + " took every transmit buffer of queue " + queue);
        }
    }

    /**
     * Waits until the guest read every frame on receive {@code queues}: all its buffers are available
     * to the port again (testpmd's virtio PMD refills its whole ring after each receive burst).
     */
    void awaitGuestRead(final String port, final int... queues)
    {
        final VhostUserPort device = port(port);
        for (final int queue : queues)
        {
            await(() -> device.ringSize(queue) > 0 && device.untaken(queue) == device.ringSize(queue),
                "the guest of " + port + " read every frame of queue " + queue);
        }
    }

    /** What a port delivered to testpmd on its receive queues, and what testpmd counted. */
    record Delivered(long sent, Testpmd.Stats stats)
    {
    }

    /**
     * Ends a run that feeds testpmd: the port stops feeding it, testpmd reads every frame left on
     * receive {@code queues} and stops, and the port's count of frames sent there settles.
     */
    Delivered stopFeeding(final String port, final Testpmd testpmd, final int... queues) throws Exception
    {
        quiesce(port);
        awaitGuestRead(port, queues);
        final Testpmd.Stats stats = testpmd.stop();
        return new Delivered(settled(() -> vhostFrames(port, "guest_rx", queues)), stats);
    }

    /** Waits until {@code value} is positive (traffic flows), failing with the guest's output. */
    void awaitPositive(final LongSupplier value, final String what, final Testpmd guest) throws Exception
    {
        final long deadline = System.nanoTime() + DRAIN_TIMEOUT_NS;
        while (value.getAsLong() <= 0)
        {
            if (!guest.isAlive() || System.nanoTime() - deadline > 0)
            {
                throw new AssertionError("no " + what + "; testpmd output:\n" + guest.output() + "\nvplane counters:\n" + dump());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }

    /** {@code value} once it stopped changing: counters are added after a burst's buffers are returned. */
    long settled(final LongSupplier value)
    {
        long last = value.getAsLong();
        final long deadline = System.nanoTime() + DRAIN_TIMEOUT_NS;
        while (System.nanoTime() - deadline < 0)
        {
            LockSupport.parkNanos(SETTLE_NS);
            final long now = value.getAsLong();
            if (now == last)
            {
                return now;
            }
            last = now;
        }
        throw new AssertionError("counter did not settle; vplane counters:\n" + dump());
    }

    private void await(final BooleanSupplier condition, final String what)
    {
        final long deadline = System.nanoTime() + DRAIN_TIMEOUT_NS;
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadline > 0)
            {
                throw new AssertionError("timed out waiting until " + what + "; vplane counters:\n" + dump());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    /** {@code vplane_vhost_frames_total} of {@code port} summed over {@code queues} in one direction. */
    long vhostFrames(final String port, final String direction, final int... queues)
    {
        long total = 0;
        for (final int queue : queues)
        {
            total += value("vplane_vhost_frames_total{port=\"" + port + "\",queue=\"" + queue + "\",dir=\"" + direction + "\"}");
        }
        return total;
    }

    long vhostDrops(final String port, final int queue, final String reason)
    {
        return value("vplane_vhost_drops_total{port=\"" + port + "\",queue=\"" + queue + "\",reason=\"" + reason + "\"}");
    }

    /**
     * A counter read by its id, so that it can still be read after the engine closed (a freed
     * counter keeps its last value in this fixture's own counters).
     */
    LongSupplier counterById(final String label)
    {
        final CountersReader reader = counters.reader();
        final int[] id = {-1};
        reader.forEach((counterId, typeId, keyBuffer, text) ->
        {
            if (text.equals(label))
            {
                id[0] = counterId;
            }
        });
        if (id[0] < 0)
        {
            throw new AssertionError("no counter " + label + "; vplane counters:\n" + dump());
        }
        return () -> reader.getCounterValue(id[0]);
    }

    /** A counter by its full label text, 0 when there is none. */
    long value(final String label)
    {
        return counters.value(label);
    }

    /** The non-zero vhost, vSwitch and error counters, for failure messages. */
    String dump()
    {
        final StringBuilder text = new StringBuilder();
        final CountersReader reader = counters.reader();
        reader.forEach((counterId, typeId, keyBuffer, label) ->
        {
            final long value = reader.getCounterValue(counterId);
            if (value != 0 && (label.startsWith("vplane_vhost") || label.startsWith("vplane_vswitch") || label.startsWith("vplane_uplink") ||
                label.startsWith("vplane_errors")))
            {
                text.append(label).append(' ').append(value).append('\n');
            }
        });
        return text.toString();
    }

    /** Failure context: every guest's output and vplane's counters. */
    String why(final Object... outputs)
    {
        final StringBuilder text = new StringBuilder();
        for (final Object output : outputs)
        {
            text.append("testpmd output:\n").append(output).append('\n');
        }
        return text.append("vplane counters:\n").append(dump()).toString();
    }

    @Override
    public void close()
    {
        engine.close();
    }
}
