package io.vplane.blockstore.device;

import io.vplane.blockstore.backend.StorageBackend;
import io.vplane.blockstore.disk.Disk;
import io.vplane.blockstore.disk.DiskRegistry;
import io.vplane.blockstore.disk.Tenant;
import io.vplane.engine.device.Device;
import io.vplane.engine.device.DeviceContext;
import io.vplane.engine.device.DeviceSpec;

import java.util.ArrayList;
import java.util.List;

/**
 * A virtual disk as an engine device of type blk: its queues carry the requests of its NBD
 * connections to the blk workers, which run them against the backend.
 */
public final class DiskDevice implements Device
{
    private final DeviceSpec spec;
    private final StorageBackend backend;
    private final DiskRegistry registry;
    private final Runnable onClose;
    private final DiskMetrics metrics;
    private final List<DiskQueue> queues;
    private final Disk disk;
    private boolean started;

    DiskDevice(
        final DeviceSpec spec,
        final DiskSettings settings,
        final StorageBackend backend,
        final DiskRegistry registry,
        final DeviceContext context,
        final Runnable onClose)
    {
        this.spec = spec;
        this.backend = backend;
        this.registry = registry;
        this.onClose = onClose;
        this.metrics = new DiskMetrics(context.counters(), spec.name(), settings.tenant().name());
        final List<DiskQueue> list = new ArrayList<>();
        for (int i = 0; i < settings.disk().queues(); i++)
        {
            list.add(new DiskQueue(i, context.pool().ringSize(),
                new RequestExecutor(spec.name(), backend, metrics, context.errors())));
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

    @Override
    public synchronized void start()
    {
        if (!started)
        {
            started = true;
            registry.add(disk);
        }
    }

    @Override
    public void quiesce()
    {
        disk.stopAccepting();
        registry.remove(disk);
    }

    @Override
    public synchronized void close()
    {
        disk.stopAccepting();
        registry.remove(disk);
        backend.close();
        metrics.close();
        queues.forEach(DiskQueue::close);
        onClose.run();
    }
}
