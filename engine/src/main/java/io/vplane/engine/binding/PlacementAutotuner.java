package io.vplane.engine.binding;

import io.vplane.engine.management.AutotuneView;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Chooses N (queues per worker) for one device type by measurement: binds N = 1..max in turn under
 * the load that is flowing, lets each settle, counts the requests served in a window, and keeps the
 * N that served most. A larger N must beat the best so far by more than {@link #MARGIN} to win, so
 * noise does not pick a different N on every run when the load is rate-limited.
 */
public final class PlacementAutotuner
{
    static final double MARGIN = 0.02;

    private PlacementAutotuner()
    {
    }

    public static AutotuneView run(final PoolBinding binding, final int maxQueuesPerWorker, final long windowMs)
    {
        if (maxQueuesPerWorker < 1 || maxQueuesPerWorker > 64)
        {
            throw new IllegalArgumentException("maxQueuesPerWorker must be 1..64: " + maxQueuesPerWorker);
        }
        if (windowMs < 10 || windowMs > 60_000)
        {
            throw new IllegalArgumentException("windowMs must be 10..60000: " + windowMs);
        }
        final List<AutotuneView.Trial> trials = new ArrayList<>();
        for (int n = 1; n <= maxQueuesPerWorker; n++)
        {
            binding.rebind(n, binding.batch());
            sleepMs(windowMs / 4);
            final long startNs = System.nanoTime();
            final long startRequests = binding.requestsServed();
            sleepMs(windowMs);
            final double seconds = (System.nanoTime() - startNs) / 1e9;
            trials.add(new AutotuneView.Trial(n, (binding.requestsServed() - startRequests) / seconds));
        }
        final int chosen = best(trials);
        return new AutotuneView(binding.type(), trials, chosen, binding.rebind(chosen, binding.batch()));
    }

    static int best(final List<AutotuneView.Trial> trials)
    {
        AutotuneView.Trial best = trials.getFirst();
        for (final AutotuneView.Trial trial : trials)
        {
            if (trial.requestsPerSec() > best.requestsPerSec() * (1 + MARGIN))
            {
                best = trial;
            }
        }
        return best.queuesPerWorker();
    }

    private static void sleepMs(final long ms)
    {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(ms));
    }
}
