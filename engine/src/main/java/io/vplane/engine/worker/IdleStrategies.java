package io.vplane.engine.worker;

import io.vplane.config.IdleConfig;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SleepingIdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;

/** Turns a pool's idle settings into a fresh Agrona idle strategy (one per worker: they hold state). */
public final class IdleStrategies
{
    private IdleStrategies()
    {
    }

    public static IdleStrategy create(final IdleConfig idle)
    {
        return switch (idle.strategy())
        {
            case BUSY_SPIN -> new BusySpinIdleStrategy();
            case YIELD -> new YieldingIdleStrategy();
            case BACKOFF -> new BackoffIdleStrategy(idle.maxSpins(), idle.maxYields(), idle.minParkNs(), idle.maxParkNs());
            case PARK -> new SleepingIdleStrategy(idle.minParkNs());
        };
    }
}
