package io.vplane.perf.ring;

import io.vplane.perf.jmh.ProfiledRun;
import org.openjdk.jmh.results.RunResult;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Runs {@link HandOffBenchmark} in rounds, one fork per candidate and round, the order rotating
 * each round, and prints each candidate's median time per item with its ratio to Agrona (the ring
 * the engine uses today) as the median and range of the per-round ratios.
 * Arguments: {@code [rounds] [iterations] [secondsPerIteration]}.
 */
public final class HandOffComparison
{
    private static final List<List<String>> USES = List.of(
        List.of("descriptorsAgrona", "descriptorsDisruptor", "descriptorsJctools"),
        List.of("manyToOneAgrona", "manyToOneJctools", "manyToOneDisruptor"));

    private HandOffComparison()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        final int iterations = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        final int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        System.out.println("hand-off, one producer, one consumer draining " + HandOffBenchmark.DRAIN_LIMIT
            + " at a time, ring of " + HandOffBenchmark.RING_SIZE + "; " + rounds + " rounds, order rotating");
        for (final List<String> candidates : USES)
        {
            compare(candidates, rounds, iterations, seconds);
        }
    }

    private static void compare(final List<String> candidates, final int rounds, final int iterations, final int seconds)
        throws Exception
    {
        final int n = candidates.size();
        final double[][] ns = new double[n][rounds];
        final double[] alloc = new double[n];
        for (int round = 0; round < rounds; round++)
        {
            for (int k = 0; k < n; k++)
            {
                final int candidate = (k + round) % n;
                final RunResult result = ProfiledRun.runMethod(HandOffBenchmark.class, candidates.get(candidate), iterations, seconds);
                ns[candidate][round] = ProfiledRun.medianIterationScore(result);
                alloc[candidate] = Math.max(alloc[candidate], ProfiledRun.allocatedBytesPerOp(result));
            }
        }
        System.out.printf(Locale.ROOT, "%-22s %14s %26s %12s%n", "candidate", "median ns/item", "ratio to first (median, range)", "alloc B/item");
        for (int c = 0; c < n; c++)
        {
            final double[] ratios = new double[rounds];
            for (int round = 0; round < rounds; round++)
            {
                ratios[round] = ns[c][round] / ns[0][round];
            }
            System.out.printf(Locale.ROOT, "%-22s %14.2f %12.3f (%.3f..%.3f) %12.3f%n", candidates.get(c), median(ns[c]),
                median(ratios), min(ratios), max(ratios), alloc[c]);
        }
    }

    private static double median(final double[] values)
    {
        final double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static double min(final double[] values)
    {
        return Arrays.stream(values).min().orElse(Double.NaN);
    }

    private static double max(final double[] values)
    {
        return Arrays.stream(values).max().orElse(Double.NaN);
    }
}
