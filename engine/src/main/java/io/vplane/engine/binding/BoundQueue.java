package io.vplane.engine.binding;

import io.vplane.engine.counters.Counters;
import io.vplane.engine.counters.EngineMetrics;
import io.vplane.engine.device.DeviceQueue;
import org.agrona.concurrent.status.AtomicCounter;

/** A device queue with the counters the engine keeps for it while it is bound. */
public final class BoundQueue implements AutoCloseable
{
    final DeviceQueue queue;
    final String name;
    final AtomicCounter requests;
    final AtomicCounter occupancy;

    public BoundQueue(final String pool, final String device, final DeviceQueue queue, final Counters counters)
    {
        this.queue = queue;
        this.name = device + "/" + queue.index();
        final String index = Integer.toString(queue.index());
        this.requests = counters.counter(EngineMetrics.QUEUE_REQUESTS_TOTAL, "pool", pool, "device", device, "queue", index);
        this.occupancy = counters.gauge(EngineMetrics.QUEUE_RING_OCCUPANCY, "pool", pool, "device", device, "queue", index);
    }

    public String name()
    {
        return name;
    }

    @Override
    public void close()
    {
        requests.close();
        occupancy.close();
    }
}
