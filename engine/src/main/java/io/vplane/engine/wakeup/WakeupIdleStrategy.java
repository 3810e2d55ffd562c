package io.vplane.engine.wakeup;

import org.agrona.concurrent.IdleStrategy;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Idling that ends when work arrives. After duty cycles without work the worker spins
 * {@code maxSpins} times, yields {@code maxYields} times, and then sleeps: in epoll until a
 * queue's producer rings its doorbell (at most {@code maxParkNs}) when every queue it carries can
 * ring; otherwise in timed parks from {@code minParkNs} doubling to {@code maxParkNs}, polling in
 * between. {@code backoff} is this strategy; {@code park} is it without the spins and yields.
 */
public final class WakeupIdleStrategy implements IdleStrategy
{
    private final WakeupSet wakeups;
    private final long maxSpins;
    private final long maxYields;
    private final long minParkNs;
    private final long maxParkNs;
    private final int maxParkMs;
    private long spins;
    private long yields;
    private long parkNs;

    public WakeupIdleStrategy(
        final WakeupSet wakeups, final long maxSpins, final long maxYields, final long minParkNs, final long maxParkNs)
    {
        this.wakeups = wakeups;
        this.maxSpins = maxSpins;
        this.maxYields = maxYields;
        this.minParkNs = minParkNs;
        this.maxParkNs = maxParkNs;
        this.maxParkMs = (int)Math.max(1, Math.min(Integer.MAX_VALUE, TimeUnit.NANOSECONDS.toMillis(maxParkNs + 999_999)));
        this.parkNs = minParkNs;
    }

    @Override
    public void idle(final int workCount)
    {
        if (workCount > 0)
        {
            reset();
        }
        else
        {
            idle();
        }
    }

    @Override
    public void idle()
    {
        if (spins < maxSpins)
        {
            spins++;
            Thread.onSpinWait();
        }
        else if (yields < maxYields)
        {
            yields++;
            Thread.yield();
        }
        else if (wakeups.canSleep())
        {
            wakeups.sleep(maxParkMs);
        }
        else
        {
            LockSupport.parkNanos(parkNs);
            parkNs = Math.min(parkNs << 1, maxParkNs);
        }
    }

    @Override
    public void reset()
    {
        spins = 0;
        yields = 0;
        parkNs = minParkNs;
    }

    @Override
    public String alias()
    {
        return 0 == maxSpins && 0 == maxYields ? "park" : "backoff";
    }
}
