package io.vplane.engine.loopback;

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
    private final long ratePerSec;
    private final NanoClock clock;
    private double tokens;
    private long lastNs;
    private int next;

    LoopbackGenerator(final String name, final List<LoopbackQueue> queues, final long ratePerSec, final NanoClock clock)
    {
        this.name = name;
        this.queues = queues.toArray(LoopbackQueue[]::new);
        this.ratePerSec = ratePerSec;
        this.clock = clock;
    }

    @Override
    public void onStart()
    {
        lastNs = clock.nanoTime();
    }

    @Override
    public int doWork()
    {
        int budget = BURST;
        final long now = clock.nanoTime();
        if (ratePerSec > 0)
        {
            tokens = Math.min(BURST, tokens + (now - lastNs) * (ratePerSec / 1e9));
            lastNs = now;
            budget = (int)tokens;
        }
        int offered = 0;
        int fullInARow = 0;
        while (offered < budget && fullInARow < queues.length)
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
        tokens -= offered;
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
