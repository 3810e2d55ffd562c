package io.vplane.engine.binding;

import io.vplane.engine.device.QueueWakeup;
import io.vplane.engine.worker.WakeupSource;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.status.AtomicCounter;

import java.util.ArrayList;
import java.util.List;

/**
 * Polls the queues of one group in turn: each duty cycle visits every queue once and takes up to
 * {@code batch} requests from it, moving on early when it runs empty, so a busy queue cannot
 * starve the others of its group (the load-equalisation threshold of the design).
 */
public final class QueueGroupAgent implements Agent, WakeupSource
{
    private static final long GAUGE_INTERVAL_NS = 1_000_000;

    private final String name;
    private final BoundQueue[] queues;
    private final int batch;
    private final AtomicCounter requests;
    private final NanoClock clock;
    private long lastGaugeNs;

    public QueueGroupAgent(
        final String name, final List<BoundQueue> queues, final int batch, final AtomicCounter requests, final NanoClock clock)
    {
        this.name = name;
        this.queues = queues.toArray(BoundQueue[]::new);
        this.batch = batch;
        this.requests = requests;
        this.clock = clock;
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
        for (final BoundQueue queue : queues)
        {
            final int taken = queue.queue.poll(batch);
            if (taken > 0)
            {
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
