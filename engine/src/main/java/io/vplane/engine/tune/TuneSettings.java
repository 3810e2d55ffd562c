package io.vplane.engine.tune;

import java.util.List;

/**
 * What {@code vplane tune} was asked to do.
 *
 * @param candidates the queues-per-worker values to try, in order
 * @param durationMs how long each candidate is measured (after it settles)
 * @param dryRun     measure and report only; the placement is restored and nothing is written
 * @param apply      switch the daemon to the choice and write it to the config file
 */
public record TuneSettings(
    String type, List<Integer> candidates, long durationMs, TuneLoad load, TuneCriterion criterion, boolean dryRun, boolean apply)
{
    public static final List<Integer> DEFAULT_CANDIDATES = List.of(1, 2, 3, 4);
    public static final long DEFAULT_DURATION_MS = 10_000;

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
    }

    /** Time each candidate is bound before its window opens, so the handover and queue backlogs settle. */
    public long settleMs()
    {
        return Math.min(1_000, durationMs / 5);
    }
}
