package io.vplane.engine.binding;

import io.vplane.engine.counters.Counters;
import io.vplane.engine.counters.EngineMetrics;
import io.vplane.engine.device.DeviceQueue;
import io.vplane.engine.device.RequestLatency;
import org.agrona.concurrent.status.AtomicCounter;

/** A device queue with the counters the engine keeps for it while it is bound. */
public final class BoundQueue implements AutoCloseable
{
    final DeviceQueue queue;
    final String device;
    final String name;
    final AtomicCounter requests;
    final AtomicCounter occupancy;
    /** Nanoseconds spent in this queue's polls that took work: its load, as OVS counts rx-queue cycles. */
    final AtomicCounter busyNs;
    final QueueFault fault;
    private final boolean ownsFault;

    /** A queue of a device that owns no other bound queue (benchmarks, tests). */
    public BoundQueue(final String pool, final String device, final DeviceQueue queue, final Counters counters)
    {
        this(pool, device, queue, counters,
            new QueueFault(device, counters.counter(EngineMetrics.DEVICE_FAULTS_TOTAL, "pool", pool, "device", device)), true);
    }

    /** @param fault shared by every queue of {@code device} */
    public BoundQueue(final String pool, final String device, final DeviceQueue queue, final Counters counters, final QueueFault fault)
    {
        this(pool, device, queue, counters, fault, false);
    }

    private BoundQueue(
        final String pool, final String device, final DeviceQueue queue, final Counters counters, final QueueFault fault,
        final boolean ownsFault)
    {
        this.ownsFault = ownsFault;
        this.queue = queue;
        this.device = device;
        this.name = device + "/" + queue.index();
        this.fault = fault;
        final String index = Integer.toString(queue.index());
        this.requests = counters.counter(EngineMetrics.QUEUE_REQUESTS_TOTAL, "pool", pool, "device", device, "queue", index);
        this.occupancy = counters.gauge(EngineMetrics.QUEUE_RING_OCCUPANCY, "pool", pool, "device", device, "queue", index);
        this.busyNs = counters.counter(EngineMetrics.QUEUE_BUSY_NS_TOTAL, "pool", pool, "device", device, "queue", index);
    }

    public String name()
    {
        return name;
    }

    public String device()
    {
        return device;
    }

    /** Work its polls reported so far (the counter); read from any thread. */
    public long requests()
    {
        return requests.get();
    }

    /** Requests it served so far: its own completions where its polls count more than those; read from any thread. */
    public long served()
    {
        final long completed = queue.completed();
        return DeviceQueue.COUNTED_BY_POLLS == completed ? requests.get() : completed;
    }

    /** Whether a fault in one of the device's polls retired its queues. */
    public boolean retired()
    {
        return fault.isRetired();
    }

    /** Nanoseconds spent in polls that took work so far; read from any thread. */
    public long busyNs()
    {
        return busyNs.get();
    }

    /** The queue's request latency, or null when it does not measure one. */
    public RequestLatency latency()
    {
        return queue.latency();
    }

    @Override
    public void close()
    {
        requests.close();
        occupancy.close();
        busyNs.close();
        if (ownsFault)
        {
            fault.counter().close();
        }
    }
}
