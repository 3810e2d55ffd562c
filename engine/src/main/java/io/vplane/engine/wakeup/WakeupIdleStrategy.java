package io.vplane.engine.wakeup;

import org.agrona.concurrent.IdleStrategy;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The {@code park} idle strategy: after a duty cycle without work the worker sleeps in epoll until
 * a queue's producer rings, at most {@code maxParkNs}; when it carries a queue that cannot ring, it
 * sleeps {@code minParkNs} and polls again.
 */
public final class WakeupIdleStrategy implements IdleStrategy
{
    private final WakeupSet wakeups;
    private final long minParkNs;
    private final int maxParkMs;

    public WakeupIdleStrategy(final WakeupSet wakeups, final long minParkNs, final long maxParkNs)
    {
        this.wakeups = wakeups;
        this.minParkNs = minParkNs;
        this.maxParkMs = (int)Math.max(1, Math.min(Integer.MAX_VALUE, TimeUnit.NANOSECONDS.toMillis(maxParkNs + 999_999)));
    }

    @Override
    public void idle(final int workCount)
    {
        if (workCount <= 0)
        {
            idle();
        }
    }

    @Override
    public void idle()
    {
        if (!wakeups.canSleep())
        {
            LockSupport.parkNanos(minParkNs);
        }
        else
        {
            wakeups.sleep(maxParkMs);
        }
    }

    @Override
    public void reset()
    {
    }

    @Override
    public String alias()
    {
        return "park";
    }
}
