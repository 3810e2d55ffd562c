package io.vplane.engine.tune;

import io.vplane.engine.binding.PoolBinding;
import io.vplane.engine.device.TuneDriver;
import io.vplane.engine.management.GroupingView;
import io.vplane.engine.management.TuneView;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Chooses queues per worker for one device type by measurement: binds each candidate N in turn
 * (the live rebind, so traffic keeps flowing), lets it settle, measures the type's workers over the
 * same window under the same load, then picks N by the criterion. Ends on the choice when asked
 * to apply it, else on the N it found.
 */
public final class Tuner
{
    /** Requests per second the loopback load (a type without a built-in load of its own) offers per worker. */
    public static final long BUILTIN_RATE_PER_WORKER = 200_000;
    /** CPU time each loopback load request costs the worker that serves it. */
    public static final long BUILTIN_REQUEST_COST_NS = 1_000;
    /** Load-variance improvement the closing grouping estimate is compared with. */
    public static final double GROUPING_THRESHOLD_PERCENT = 25;
    private static final long GROUPING_ESTIMATE_MS = 300;
    private static final TuneDriver.Run LIVE = new TuneDriver.Run()
    {
        @Override
        public String description()
        {
            return "the traffic the type's devices carry now";
        }

        @Override
        public void close()
        {
        }
    };

    /** Told before each candidate and at the end. */
    @FunctionalInterface
    public interface Progress
    {
        void update(int candidateIndex, long remainingMs, List<TuneView.Trial> trials);
    }

    /** Starts the built-in load on the type's pool, over {@code queues} queues for {@code workers} workers. */
    @FunctionalInterface
    public interface BuiltinLoad
    {
        TuneDriver.Run start(int queues, int workers) throws Exception;
    }

    /**
     * @param load                  what the candidates were measured under, one line
     * @param queuesPerWorkerBefore the N the type had when the run started
     * @param queuesPerWorkerAfter  the N it has now
     */
    public record Result(
        List<TuneView.Trial> trials, TuneChoice choice, String load, int queuesPerWorkerBefore, int queuesPerWorkerAfter,
        GroupingView grouping)
    {
    }

    private Tuner()
    {
    }

    public static Result run(final PoolBinding binding, final TuneSettings settings, final BuiltinLoad builtin, final Progress progress)
        throws Exception
    {
        final int before = binding.queuesPerWorker();
        final int workers = binding.workers().size();
        final List<TuneView.Trial> trials = new ArrayList<>();
        final long perCandidateMs = settings.settleMs() + settings.durationMs();
        final int count = settings.candidates().size();
        try (TuneDriver.Run load = TuneLoad.BUILTIN == settings.load() ? builtin.start(builtinQueues(settings, workers), workers) : LIVE)
        {
            int after = before;
            try
            {
                for (int k = 0; k < count; k++)
                {
                    final int n = settings.candidates().get(k);
                    progress.update(k + 1, (count - k) * perCandidateMs + GROUPING_ESTIMATE_MS, List.copyOf(trials));
                    binding.rebind(n, binding.batch());
                    sleepMs(settings.settleMs());
                    final TrialWindow window = TrialWindow.open(binding, load.latencies());
                    sleepMs(settings.durationMs());
                    trials.add(window.close(n));
                }
                final TuneChoice choice = TuneChoice.of(trials, settings.criterion());
                after = settings.apply() && choice.chosen() > 0 ? choice.chosen() : before;
                progress.update(count, GROUPING_ESTIMATE_MS, List.copyOf(trials));
                binding.rebind(after, binding.batch());
                // still under the same load: what a load-based grouping of the N kept would gain
                final GroupingView grouping = estimateGrouping(binding);
                return new Result(List.copyOf(trials), choice, load.description(), before, after, grouping);
            }
            finally
            {
                if (binding.queuesPerWorker() != after)
                {
                    binding.rebind(after, binding.batch());
                }
            }
        }
    }

    /** Enough queues that every candidate fills whole groups on every worker, at most 64. */
    static int builtinQueues(final TuneSettings settings, final int workers)
    {
        final int largest = settings.candidates().stream().mapToInt(Integer::intValue).max().orElse(1);
        return Math.min(64, largest * Math.max(1, workers));
    }

    private static GroupingView estimateGrouping(final PoolBinding binding)
    {
        try
        {
            return binding.regroupByLoad(GROUPING_THRESHOLD_PERCENT, true);
        }
        catch (final IllegalArgumentException ex)
        {
            return null;
        }
    }

    private static void sleepMs(final long ms)
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
        for (long left = ms; left > 0; left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()))
        {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(left));
            if (Thread.currentThread().isInterrupted())
            {
                throw new IllegalStateException("tuning interrupted");
            }
        }
    }
}
