package io.vplane.engine.device;

/**
 * How many requests a load generator may offer now to keep a set rate: a token bucket holding at
 * most one burst, so a generator that slept catches up by one burst, not by everything it missed.
 * One thread uses it; allocation-free.
 */
public final class RateBudget
{
    private final long ratePerSec;
    private final int burst;
    private double tokens;
    private long lastNs;

    /** @param ratePerSec requests per second, 0 for flat out (a whole burst each time) */
    public RateBudget(final long ratePerSec, final int burst)
    {
        this.ratePerSec = ratePerSec;
        this.burst = burst;
    }

    public void start(final long nowNs)
    {
        lastNs = nowNs;
    }

    /** Requests that may be offered at {@code nowNs}. */
    public int available(final long nowNs)
    {
        if (ratePerSec <= 0)
        {
            return burst;
        }
        tokens = Math.min(burst, tokens + (nowNs - lastNs) * (ratePerSec / 1e9));
        lastNs = nowNs;
        return (int)tokens;
    }

    /** {@code offered} of the available requests went out. */
    public void spent(final int offered)
    {
        if (ratePerSec > 0)
        {
            tokens -= offered;
        }
    }
}
