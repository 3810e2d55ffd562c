package io.vplane.engine.binding;

import io.vplane.engine.device.QueueWakeup;
import io.vplane.engine.worker.WakeupSource;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;
import org.agrona.concurrent.status.AtomicCounter;

import java.util.ArrayList;
import java.util.List;

/**
 * Polls the queues of one group in turn: each duty cycle visits every queue once and takes up to
 * {@code batch} requests from it, moving on early when it runs empty, so a busy queue cannot
 * starve the others of its group (the load-equalisation threshold of the design).
 *
 * <p>Each queue's load is measured on the way: the clock is read once per cycle and once after
 * each poll that took work, and the time since the previous reading goes to that queue's busy
 * counter (the empty polls just before it ride along; they are a few nanoseconds each). Idle
 * cycles thus cost one clock read per group, busy polls one each; nothing allocates.
 *
 * <p>A group may hold queues of several devices (load-based grouping). A poll that throws retires
 * only its device: that device's queues are skipped from then on, here and in every other group,
 * and the other devices keep their service.
 */
public final class QueueGroupAgent implements Agent, WakeupSource
{
    private static final long GAUGE_INTERVAL_NS = 1_000_000;

    private final String name;
    private final BoundQueue[] queues;
    private final int batch;
    private final AtomicCounter requests;
    private final NanoClock clock;
    private final NanoClock loadClock;
    private long lastGaugeNs;

    /**
     * @param clock the worker's cached clock, for the gauges
     */
    public QueueGroupAgent(
        final String name, final List<BoundQueue> queues, final int batch, final AtomicCounter requests, final NanoClock clock)
    {
        this(name, queues, batch, requests, clock, SystemNanoClock.INSTANCE);
    }

    /**
     * @param loadClock read around polls to measure each queue's load; must be fresh, not cached
     */
    public QueueGroupAgent(
        final String name,
        final List<BoundQueue> queues,
        final int batch,
        final AtomicCounter requests,
        final NanoClock clock,
        final NanoClock loadClock)
    {
        this.name = name;
        this.queues = queues.toArray(BoundQueue[]::new);
        this.batch = batch;
        this.requests = requests;
        this.clock = clock;
        this.loadClock = loadClock;
    }

    public String name()
    {
        return name;
    }

    public List<BoundQueue> queues()
    {
        return List.of(queues);
    }

    @Override
    public List<QueueWakeup> wakeups()
    {
        final List<QueueWakeup> wakeups = new ArrayList<>(queues.length);
        for (final BoundQueue queue : queues)
        {
            wakeups.add(queue.queue.wakeup());
        }
        return wakeups;
    }

    @Override
    public int doWork()
    {
        int total = 0;
        long markNs = loadClock.nanoTime();
        for (final BoundQueue queue : queues)
        {
            if (queue.fault.isRetired())
            {
                continue;
            }
            final int taken;
            try
            {
                taken = queue.queue.poll(batch);
            }
            catch (final Throwable ex)
            {
                // one device's fault (a bug, SIGBUS on guest memory as InternalError) retires that device only
                queue.fault.retire(queue.name, ex);
                markNs = loadClock.nanoTime();
                continue;
            }
            if (taken > 0)
            {
                final long now = loadClock.nanoTime();
                queue.busyNs.getAndAddRelease(now - markNs);
                markNs = now;
                queue.requests.getAndAddRelease(taken);
                total += taken;
            }
        }
        if (total > 0)
        {
            requests.getAndAddRelease(total);
        }
        final long now = clock.nanoTime();
        if (now - lastGaugeNs >= GAUGE_INTERVAL_NS)
        {
            lastGaugeNs = now;
            updateGauges();
        }
        return total;
    }

    @Override
    public void onClose()
    {
        updateGauges();
    }

    /** The group's own counter; the binder frees it once the agent is off its worker. */
    AtomicCounter requestsCounter()
    {
        return requests;
    }

    @Override
    public String roleName()
    {
        return "group-" + name;
    }

    private void updateGauges()
    {
        for (final BoundQueue queue : queues)
        {
            queue.occupancy.setRelease(queue.queue.backlog());
        }
    }
}
