package io.vplane.blockstore.device;

import io.vplane.engine.device.Device;
import io.vplane.engine.device.RequestLatency;
import io.vplane.engine.device.TuneDriver;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.SleepingIdleStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The built-in load of {@code vplane tune --type blk}: 4 KiB READs at random offsets into every
 * running disk, attached to each of its queues as a front end would be, so the requests take the
 * real path (disk queue, QoS gate, request executor, backend, reply) on the blk workers. Only
 * reads, so the disks' contents are never touched. Without a disk it declines, and the engine
 * falls back to its loopback load.
 */
final class DiskTuneDriver implements TuneDriver
{
    /** Reads per second offered per blk worker unless the run asks for another rate. */
    static final long READS_PER_WORKER = 20_000;
    static final int READ_BYTES = 4096;
    /** Requests in flight per queue at most, as an NBD client's queue depth. */
    static final int DEPTH = 32;
    private static final long IDLE_NS = 100_000;
    private static final long DRAIN_MS = 5_000;
    private static final Logger LOG = LoggerFactory.getLogger(DiskTuneDriver.class);

    @Override
    public String type()
    {
        return NbdDeviceProvider.TYPE;
    }

    @Override
    public long defaultRatePerWorker()
    {
        return READS_PER_WORKER;
    }

    @Override
    public Run start(final Context context, final int queues, final int workers, final long ratePerWorker)
    {
        final List<DiskDevice> disks = new ArrayList<>();
        for (final Device device : context.devices(NbdDeviceProvider.KIND))
        {
            if (device instanceof DiskDevice disk && disk.disk().sizeBytes() >= READ_BYTES)
            {
                disks.add(disk);
            }
        }
        if (disks.isEmpty())
        {
            LOG.info("tune: no disk to drive; the built-in blk load falls back to a loopback device");
            return null;
        }
        final List<TuneDiskOrigin> origins = new ArrayList<>();
        final StringBuilder names = new StringBuilder();
        for (final DiskDevice disk : disks)
        {
            int attached = 0;
            for (int i = 0; i < disk.queues().size(); i++)
            {
                final TuneDiskOrigin origin = new TuneDiskOrigin(disk.disk(), DEPTH);
                if (origin.attach())
                {
                    origins.add(origin);
                    attached++;
                }
            }
            names.append(names.isEmpty() ? "" : ", ").append(disk.name()).append(" (").append(attached).append(" queues)");
        }
        if (origins.isEmpty())
        {
            LOG.info("tune: no disk takes a front end now; the built-in blk load falls back to a loopback device");
            return null;
        }
        final long rate = ratePerWorker * workers;
        final TuneDiskLoad load = new TuneDiskLoad(origins, rate, READ_BYTES);
        final AgentRunner runner = new AgentRunner(new SleepingIdleStrategy(IDLE_NS),
            ex -> LOG.warn("tune: built-in blk load: {}", ex.toString()), null, load);
        AgentRunner.startOnThread(runner, task -> new Thread(task, "vplane-tune-blk"));
        final String description = String.format(Locale.ROOT,
            "built-in disk load: %,d reads/s of %d bytes at random offsets, %d in flight per queue at most, into %s",
            rate, READ_BYTES, DEPTH, names);
        return new Run()
        {
            @Override
            public String description()
            {
                return description;
            }

            @Override
            public List<RequestLatency> latencies()
            {
                return origins.stream().map(TuneDiskOrigin::latency).toList();
            }

            @Override
            public void close()
            {
                runner.close();
                awaitCompletions(origins);
                origins.forEach(TuneDiskOrigin::detach);
                final long failed = origins.stream().mapToLong(TuneDiskOrigin::failed).sum();
                if (failed > 0)
                {
                    LOG.warn("tune: {} built-in reads failed (see the disks' error counters)", failed);
                }
            }
        };
    }

    /** The requests in flight come back before the run ends, so none completes into a closed load. */
    private static void awaitCompletions(final List<TuneDiskOrigin> origins)
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DRAIN_MS);
        while (origins.stream().anyMatch(origin -> origin.inFlight() > 0) && System.nanoTime() - deadline < 0)
        {
            LockSupport.parkNanos(1_000_000);
        }
    }
}
