package io.vplane.blockstore.qos;

import io.vplane.engine.counters.Counters;
import org.agrona.concurrent.status.AtomicCounter;

import java.util.concurrent.atomic.AtomicLong;

/**
 * One disk as the slice scheduler sees it: its QoS (changed live), one {@link QueueGate} per disk
 * queue, the tokens of its limits (the scheduler's alone) and what of them is left this slice for
 * any of its queues to claim. Counters: requests admitted, requests delayed (refused at least once),
 * time waited before admission, and the rates granted in the last slice.
 */
public final class DiskFlow implements AutoCloseable
{
    final String name;
    private volatile DiskQos qos;
    private final QueueGate[] gates;
    /** Scheduler only: the limits' token buckets, and the gates' consumption already charged to them. */
    final long[] tokens = new long[QosDimension.COUNT];
    final long[] charged = new long[QosDimension.COUNT];
    /** What the limits still allow beyond the grants this slice; claimed by the gates. */
    final AtomicLong[] headroom = new AtomicLong[QosDimension.COUNT];
    final AtomicCounter admitted;
    final AtomicCounter delayed;
    final AtomicCounter waitedUs;
    final AtomicCounter grantedIops;
    final AtomicCounter grantedBytesPerSec;

    DiskFlow(final String name, final String tenant, final DiskQos qos, final int queues, final SliceScheduler scheduler,
        final Counters counters)
    {
        this.name = name;
        this.qos = qos;
        for (int i = 0; i < QosDimension.COUNT; i++)
        {
            headroom[i] = new AtomicLong(Long.MAX_VALUE / 4);
            tokens[i] = Long.MAX_VALUE / 4;
        }
        admitted = counters.counter("vplane_blk_qos_admitted_total", "disk", name, "tenant", tenant);
        delayed = counters.counter("vplane_blk_qos_delayed_total", "disk", name, "tenant", tenant);
        waitedUs = counters.counter("vplane_blk_qos_wait_us_total", "disk", name, "tenant", tenant);
        grantedIops = counters.gauge("vplane_blk_qos_granted_iops", "disk", name, "tenant", tenant);
        grantedBytesPerSec = counters.gauge("vplane_blk_qos_granted_bytes_per_second", "disk", name, "tenant", tenant);
        gates = new QueueGate[queues];
        for (int i = 0; i < queues; i++)
        {
            final String queue = String.valueOf(i);
            gates[i] = new QueueGate(this, scheduler,
                counters.gauge("vplane_blk_queue_waiting", "disk", name, "tenant", tenant, "queue", queue),
                counters.gauge("vplane_blk_queue_pending", "disk", name, "tenant", tenant, "queue", queue));
        }
    }

    public String name()
    {
        return name;
    }

    public DiskQos qos()
    {
        return qos;
    }

    /** Live change; the next slice applies it. */
    public void qos(final DiskQos next)
    {
        qos = next;
    }

    /** The gate of disk queue {@code index}. */
    public QueueGate gate(final int index)
    {
        return gates[index];
    }

    int queues()
    {
        return gates.length;
    }

    public long admitted()
    {
        return admitted.get();
    }

    public long delayed()
    {
        return delayed.get();
    }

    public long waitedUs()
    {
        return waitedUs.get();
    }

    @Override
    public void close()
    {
        admitted.close();
        delayed.close();
        waitedUs.close();
        grantedIops.close();
        grantedBytesPerSec.close();
        for (final QueueGate gate : gates)
        {
            gate.close();
        }
    }
}
