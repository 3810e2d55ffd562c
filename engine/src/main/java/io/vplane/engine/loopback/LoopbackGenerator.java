package io.vplane.engine.loopback;

import io.vplane.engine.device.RateBudget;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.NanoClock;

import java.util.List;

/**
 * Offers requests to the queues of one loopback device in turn at a set rate (token bucket with a
 * burst of {@link #BURST}), or flat out. A full ring is back-pressure, not loss: that queue is
 * skipped until it has room.
 */
final class LoopbackGenerator implements Agent
{
    static final int BURST = 256;

    private final String name;
    private final LoopbackQueue[] queues;
    private final RateBudget budget;
    private final NanoClock clock;
    private int next;

    LoopbackGenerator(final String name, final List<LoopbackQueue> queues, final long ratePerSec, final NanoClock clock)
    {
        this.name = name;
        this.queues = queues.toArray(LoopbackQueue[]::new);
        this.budget = new RateBudget(ratePerSec, BURST);
        this.clock = clock;
    }

    @Override
    public void onStart()
    {
        budget.start(clock.nanoTime());
    }

    @Override
    public int doWork()
    {
        final long now = clock.nanoTime();
        final int allowed = budget.available(now);
        int offered = 0;
        int fullInARow = 0;
        while (offered < allowed && fullInARow < queues.length)
        {
            final LoopbackQueue queue = queues[next];
            next = next + 1 == queues.length ? 0 : next + 1;
            if (queue.offerNext(now))
            {
                offered++;
                fullInARow = 0;
            }
            else
            {
                fullInARow++;
            }
        }
        budget.spent(offered);
        if (offered > 0)
        {
            for (final LoopbackQueue queue : queues)
            {
                queue.ring();
            }
        }
        return offered;
    }

    @Override
    public String roleName()
    {
        return "loopback-generator-" + name;
    }
}
