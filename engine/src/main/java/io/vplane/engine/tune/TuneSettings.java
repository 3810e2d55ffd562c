package io.vplane.engine.tune;

import java.util.List;
import java.util.Locale;

/**
 * What {@code vplane tune} was asked to do.
 *
 * @param candidates the queues-per-worker values to try, in order
 * @param durationMs how long each candidate is measured (after it settles)
 * @param dryRun     measure and report only; the placement is restored and nothing is written
 * @param apply      switch the daemon to the choice and write it to the config file
 * @param ratePerWorker requests per second the built-in load offers per worker of the type, or
 *                   {@link #DEFAULT_RATE} for the load's own (net 50,000 frames, blk 20,000 reads,
 *                   loopback 200,000 requests)
 */
public record TuneSettings(
    String type, List<Integer> candidates, long durationMs, TuneLoad load, TuneCriterion criterion, boolean dryRun, boolean apply,
    long ratePerWorker)
{
    public static final List<Integer> DEFAULT_CANDIDATES = List.of(1, 2, 3, 4);
    public static final long DEFAULT_DURATION_MS = 10_000;
    /** The built-in load's own rate. */
    public static final long DEFAULT_RATE = 0;
    /** Far above what one worker serves (a few million small requests per second), yet a bound. */
    public static final long MAX_RATE_PER_WORKER = 10_000_000;

    /** At the built-in load's own rate. */
    public TuneSettings(
        final String type, final List<Integer> candidates, final long durationMs, final TuneLoad load, final TuneCriterion criterion,
        final boolean dryRun, final boolean apply)
    {
        this(type, candidates, durationMs, load, criterion, dryRun, apply, DEFAULT_RATE);
    }

    public TuneSettings
    {
        candidates = List.copyOf(candidates);
        if (candidates.isEmpty() || candidates.size() > 16)
        {
            throw new IllegalArgumentException("candidates must list 1..16 values: " + candidates);
        }
        for (final int n : candidates)
        {
            if (n < 1 || n > 64)
            {
                throw new IllegalArgumentException("each candidate must be 1..64: " + candidates);
            }
        }
        if (candidates.stream().distinct().count() != candidates.size())
        {
            throw new IllegalArgumentException("candidates must not repeat: " + candidates);
        }
        if (durationMs < 100 || durationMs > 600_000)
        {
            throw new IllegalArgumentException("duration must be 100 ms..600 s: " + durationMs + " ms");
        }
        if (dryRun && apply)
        {
            throw new IllegalArgumentException("dry run and apply exclude each other");
        }
        if (ratePerWorker < 0 || ratePerWorker > MAX_RATE_PER_WORKER)
        {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                "rate must be 1..%,d requests/s per worker: %d", MAX_RATE_PER_WORKER, ratePerWorker));
        }
        if (DEFAULT_RATE != ratePerWorker && TuneLoad.LIVE == load)
        {
            throw new IllegalArgumentException("rate sets the built-in load's rate; the live load is the traffic there is");
        }
    }

    /** The built-in load's rate per worker: the one asked for, else {@code own}. */
    public long ratePerWorkerOr(final long own)
    {
        return DEFAULT_RATE == ratePerWorker ? own : ratePerWorker;
    }

    /** Time each candidate is bound before its window opens, so the handover and queue backlogs settle. */
    public long settleMs()
    {
        return Math.min(1_000, durationMs / 5);
    }
}
