package io.vplane.engine.worker;

import io.vplane.config.IdleConfig;
import io.vplane.engine.wakeup.WakeupIdleStrategy;
import io.vplane.engine.wakeup.WakeupSet;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;

/**
 * Turns a pool's idle settings into a fresh idle strategy (one per worker: they hold state).
 * {@code backoff} and {@code park} sleep on the worker's doorbells once they stop spinning.
 */
public final class IdleStrategies
{
    private IdleStrategies()
    {
    }

    /** @param wakeups the worker's queues that can wake it, for {@code park} */
    public static IdleStrategy create(final IdleConfig idle, final WakeupSet wakeups)
    {
        return switch (idle.strategy())
        {
            case BUSY_SPIN -> new BusySpinIdleStrategy();
            case YIELD -> new YieldingIdleStrategy();
            case BACKOFF -> new WakeupIdleStrategy(wakeups, idle.maxSpins(), idle.maxYields(), idle.minParkNs(), idle.maxParkNs());
            case PARK -> new WakeupIdleStrategy(wakeups, 0, 0, idle.minParkNs(), idle.maxParkNs());
        };
    }
}
