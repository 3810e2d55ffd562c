package io.vplane.blockstore.device;

import io.vplane.blockstore.backend.RawFileBackend;
import io.vplane.blockstore.backend.StorageBackend;
import io.vplane.blockstore.convert.ConvertingBackend;
import io.vplane.blockstore.disk.Disk;
import io.vplane.blockstore.disk.DiskRegistry;
import io.vplane.blockstore.disk.Tenant;
import io.vplane.blockstore.qos.DiskFlow;
import io.vplane.blockstore.qos.DiskQos;
import io.vplane.blockstore.qos.SchedulerSettings;
import io.vplane.blockstore.qos.SliceScheduler;
import io.vplane.blockstore.rbd.RbdBackend;
import io.vplane.blockstore.request.BlockOrigin;
import io.vplane.engine.device.Device;
import io.vplane.engine.device.DeviceContext;
import io.vplane.engine.device.DeviceSpec;
import io.vplane.engine.errors.ErrorLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * A virtual disk as an engine device of type blk: its queues carry the block requests of its front
 * ends (NBD connections) to the blk workers, which run them against the backend.
 */
public final class DiskDevice implements Device
{
    /** How long a removed disk waits for its connections' requests in flight before it closes them anyway. */
    static final long DRAIN_TIMEOUT_MS = 10_000;
    private static final Logger LOG = LoggerFactory.getLogger(DiskDevice.class);

    /** How long a backend upgrade waits for the requests at the old backend before it is called off. */
    static final long UPGRADE_TIMEOUT_MS = 30_000;
    /**
     * After every queue stopped: time for a request an event loop decoded before the stop (a large
     * WRITE with its socket lent) to reach its queue, which forwards it to the old backend.
     */

    private final DeviceSpec spec;
    /** Replaced by {@link #upgrade}. */
    private volatile DiskSettings settings;
    private volatile StorageBackend backend;
    private final DiskRegistry registry;
    private final ErrorLog errors;
    private final Runnable onClose;
    private final DiskMetrics metrics;
    private final SliceScheduler scheduler;
    private final DiskFlow flow;
    private final List<DiskQueue> queues;
    private final Disk disk;
    private final long zeroSliceBytes;
    /** The disk's latest online conversion (running, paused or done), or null. */
    private volatile ConvertingBackend conversion;
    private boolean started;
    private boolean drained;
    private int drainedConnections;

    DiskDevice(
        final DeviceSpec spec,
        final DiskSettings settings,
        final StorageBackend backend,
        final DiskRegistry registry,
        final DeviceContext context,
        final SliceScheduler scheduler,
        final Runnable onClose)
    {
        this.spec = spec;
        this.settings = settings;
        this.backend = backend;
        this.registry = registry;
        this.errors = context.errors();
        this.onClose = onClose;
        this.metrics = new DiskMetrics(context.counters(), spec.name(), settings.tenant().name());
        this.scheduler = scheduler;
        this.zeroSliceBytes = settings.limits().zeroSliceBytes();
        this.flow = scheduler.register(spec.name(), settings.tenant().name(), settings.disk().qos(),
            settings.disk().queues(), context.counters());
        final List<DiskQueue> list = new ArrayList<>();
        for (int i = 0; i < settings.disk().queues(); i++)
        {
            list.add(new DiskQueue(i, context.pool().ringSize(), executor(backend), flow.gate(i)));
        }
        this.queues = List.copyOf(list);
        this.disk = new Disk(spec.name(), settings.disk().description(), backend.sizeBytes(), settings.disk().readOnly(),
            settings.disk().minBlockBytes(),
            Tenant.of(settings.tenant().name(), settings.tenant().allow(), settings.tenant().requireTls()), queues,
            metrics::countError);
    }

    @Override
    public DeviceSpec spec()
    {
        return spec;
    }

    @Override
    public List<DiskQueue> queues()
    {
        return queues;
    }

    public Disk disk()
    {
        return disk;
    }

    public DiskSettings settings()
    {
        return settings;
    }

    /** Where the disk's faults are recorded: also the log of a backend opened for an upgrade. */
    public ErrorLog errors()
    {
        return errors;
    }

    private RequestExecutor executor(final StorageBackend service)
    {
        return new RequestExecutor(spec.name(), service, metrics, errors, zeroSliceBytes);
    }

    /** The disk's QoS now. */
    /** The scheduler's settings now, with a measured capacity in place of a configured 0. */
    public SchedulerSettings scheduling()
    {
        return scheduler.settings();
    }

    public DiskQos qos()
    {
        return flow.qos();
    }

    /** Changes the disk's QoS live; the next slice applies it. */
    public void qos(final DiskQos next)
    {
        flow.qos(next);
        LOG.info("disk {}: QoS {}", spec.name(), next.describe());
    }

    /** The disk's scheduling counters. */
    public DiskFlow flow()
    {
        return flow;
    }

    /**
     * Replaces the backend while clients keep their I/O in flight. Every queue stops forwarding and
     * puts its pending requests back at the head of its wait queue, in order; the requests already
     * at the old backend complete; the old backend is flushed, so every write it acknowledged is
     * durable there; then the queues resume with {@code next}. Requests arriving meanwhile wait in
     * the wait queues. Nothing is failed, lost, reordered or run twice: a request is forwarded to
     * exactly one backend. If the old backend does not finish its requests within
     * {@link #UPGRADE_TIMEOUT_MS}, the change is called off and the disk goes on with the old one.
     *
     * @param nextSettings what the disk is now opened from (its new image)
     * @param next         the new backend, open; owned by the disk from now on (closed if refused)
     * @return what the change cost
     */
    public synchronized Upgrade upgrade(final DiskSettings nextSettings, final StorageBackend next)
    {
        final long startNs = System.nanoTime();
        if (next.sizeBytes() != disk.sizeBytes())
        {
            next.close();
            throw new IllegalArgumentException("disk " + spec.name() + " is " + disk.sizeBytes() + " bytes but " +
                nextSettings.disk().image() + " holds " + next.sizeBytes() + "; the new backend must have the same size");
        }
        final List<RequestExecutor> replacements = new ArrayList<>();
        try
        {
            for (int i = 0; i < queues.size(); i++)
            {
                replacements.add(executor(next));
            }
        }
        catch (final RuntimeException ex)
        {
            replacements.forEach(RequestExecutor::close);
            next.close();
            throw ex;
        }
        queues.forEach(DiskQueue::askStop);
        if (!awaitUntil(() -> queues.stream().allMatch(DiskQueue::stopped), TimeUnit.MILLISECONDS.toNanos(UPGRADE_TIMEOUT_MS),
            100_000))
        {
            queues.forEach(DiskQueue::cancelStop);
            replacements.forEach(RequestExecutor::close);
            next.close();
            throw new IllegalStateException("disk " + spec.name() + ": the old backend did not finish its requests within " +
                UPGRADE_TIMEOUT_MS + " ms; upgrade called off, the disk goes on with " + settings.disk().image());
        }
        final StorageBackend old = backend;
        final List<RequestExecutor> retired = new ArrayList<>();
        queues.forEach(queue -> retired.add(queue.executor()));
        flushBackend(old, "before the upgrade");
        final long requeuedBefore = queues.stream().mapToLong(DiskQueue::requeued).sum();
        backend = next;
        settings = nextSettings;
        for (int i = 0; i < queues.size(); i++)
        {
            queues.get(i).resumeWith(replacements.get(i));
        }
        if (!awaitUntil(() -> queues.stream().allMatch(DiskQueue::resumed), TimeUnit.MILLISECONDS.toNanos(UPGRADE_TIMEOUT_MS),
            100_000))
        {
            // A queue no worker polls (the engine is stopping): it takes the new backend when it is polled again.
            LOG.warn("disk {}: a queue has not resumed within {} ms; it will on its next poll", spec.name(), UPGRADE_TIMEOUT_MS);
        }
        final long pausedUs = (System.nanoTime() - startNs) / 1000;
        retired.forEach(RequestExecutor::close);
        old.close();
        final long requeued = queues.stream().mapToLong(DiskQueue::requeued).sum() - requeuedBefore;
        metrics.upgrades.increment();
        LOG.info("disk {}: backend upgraded to {} in {} us ({} pending requests went back to the wait queues)", spec.name(),
            nextSettings.disk().image(), pausedUs, requeued);
        return new Upgrade(pausedUs, requeued);
    }

    /**
     * What a backend upgrade cost.
     *
     * @param pausedUs  from the stop to the resumption of every queue
     * @param requeued  admitted requests that went back to the wait queues
     */
    public record Upgrade(long pausedUs, long requeued)
    {
    }

    /** The disk's latest online conversion (running, paused or done), or null. */
    public ConvertingBackend conversion()
    {
        return conversion;
    }

    void conversion(final ConvertingBackend next)
    {
        conversion = next;
    }

    /** An online conversion's progress, for the counters file ({@code vplane stat}). */
    void conversionProgress(final long doneBytes, final long sizeBytes)
    {
        metrics.convertDoneBytes.setRelease(doneBytes);
        metrics.convertSizeBytes.setRelease(sizeBytes);
    }

    /** Whether the disk serves from {@code candidate} now. */
    boolean backendIs(final StorageBackend candidate)
    {
        return backend == candidate;
    }

    /** Whether the image is a file this daemon owns (else a remote NBD server). */
    public boolean hasImageFile()
    {
        return backend instanceof RawFileBackend;
    }

    /** The storage system's own view of the disk (state, features, errors), for {@code ctl disk show}. */
    public Map<String, Object> backendView()
    {
        return backend.describe();
    }

    /**
     * Grows or shrinks the image. Open connections were told the old size at their handshake (NBD
     * fixes it there, proto.md "Transmission"); new ones see the new size. Every request is checked
     * against the current size, so after a shrink nobody reaches past the new end.
     *
     * @param force shrink even while clients are connected
     * @return the size before
     */
    public synchronized long resize(final long newSizeBytes, final boolean force)
    {
        if (!(backend instanceof RawFileBackend) && !(backend instanceof RbdBackend))
        {
            throw new IllegalArgumentException("disk " + spec.name() + " is served from " + settings.disk().image() +
                "; resize it on that server");
        }
        if (settings.disk().readOnly())
        {
            throw new IllegalArgumentException("disk " + spec.name() + " is read-only; it cannot be resized");
        }
        final long oldSizeBytes = disk.sizeBytes();
        final int open = disk.connections();
        if (newSizeBytes < oldSizeBytes && open > 0 && !force)
        {
            throw new IllegalArgumentException("disk " + spec.name() + " has " + open + " open connection" +
                (open == 1 ? "" : "s") + "; shrinking from " + oldSizeBytes + " to " + newSizeBytes +
                " bytes would cut off data they may use. Disconnect them first, or force it (--force)");
        }
        if (newSizeBytes < oldSizeBytes)
        {
            // Requests are refused past the new end before the data goes; those already queued run first,
            // so a write checked against the old size does not land after the truncation and extend the file again.
            disk.resize(newSizeBytes);
            awaitUntil(() -> backlog() == 0, TimeUnit.SECONDS.toNanos(1), 100_000);
        }
        try
        {
            if (backend instanceof final RbdBackend rbd)
            {
                rbd.resize(newSizeBytes);
            }
            else
            {
                ((RawFileBackend)backend).resize(newSizeBytes);
            }
        }
        catch (final IOException ex)
        {
            disk.resize(oldSizeBytes);
            throw new IllegalStateException("disk " + spec.name() + ": cannot resize " + settings.disk().image() + ": " +
                ex.getMessage(), ex);
        }
        disk.resize(newSizeBytes);
        LOG.info("disk {} resized from {} to {} bytes ({} open connections keep their size)", spec.name(), oldSizeBytes,
            newSizeBytes, open);
        return oldSizeBytes;
    }

    @Override
    public synchronized void start()
    {
        if (!started)
        {
            started = true;
            registry.add(disk);
        }
    }

    /**
     * Takes no new connections, lets the open ones finish the requests they sent (no acknowledged
     * write is lost) and closes them, then makes every write durable. Runs while the queues are
     * still bound, so the workers serve what is in flight.
     */
    @Override
    public synchronized void quiesce()
    {
        if (drained)
        {
            return;
        }
        drained = true;
        final List<BlockOrigin> open = disk.stopAccepting();
        registry.remove(disk);
        drainedConnections = open.size();
        open.forEach(BlockOrigin::finishAndClose);
        if (!awaitUntil(() -> disk.connections() == 0 && backlog() == 0,
            TimeUnit.MILLISECONDS.toNanos(DRAIN_TIMEOUT_MS), 1_000_000))
        {
            LOG.warn("disk {}: {} connections still busy after {} ms; closing them", spec.name(), disk.connections(),
                DRAIN_TIMEOUT_MS);
            open.forEach(BlockOrigin::close);
        }
        flush();
        if (drainedConnections > 0)
        {
            LOG.info("disk {}: {} connections drained and closed", spec.name(), drainedConnections);
        }
    }

    /** Connections {@link #quiesce} closed. */
    public synchronized int drainedConnections()
    {
        return drainedConnections;
    }

    @Override
    public synchronized void close()
    {
        quiesce();
        backend.close();
        scheduler.unregister(flow);
        flow.close();
        metrics.close();
        queues.forEach(DiskQueue::close);
        onClose.run();
    }

    /** Control thread: polls {@code done} every {@code parkNs}. @return false when the timeout passed first */
    private static boolean awaitUntil(final BooleanSupplier done, final long timeoutNs, final long parkNs)
    {
        final long deadline = System.nanoTime() + timeoutNs;
        while (!done.getAsBoolean())
        {
            if (System.nanoTime() - deadline > 0)
            {
                return false;
            }
            LockSupport.parkNanos(parkNs);
        }
        return true;
    }

    private long backlog()
    {
        long sum = 0;
        for (final DiskQueue queue : queues)
        {
            sum += queue.backlog();
        }
        return sum;
    }

    private void flush()
    {
        flushBackend(backend, "before closing");
    }

    private void flushBackend(final StorageBackend target, final String when)
    {
        if (settings.disk().readOnly())
        {
            return;
        }
        try
        {
            target.flush();
        }
        catch (final IOException | RuntimeException ex)
        {
            errors.record("nbd", "flush", "disk " + spec.name() + ": flush " + when + " failed: " + ex.getMessage());
        }
    }
}
