package io.vplane.perf.ring;

import io.vplane.perf.jmh.ProfiledRun;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.options.TimeValue;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Runs {@link HandOffBenchmark} in rounds, one fork per candidate and round, the order rotating
 * each round, and prints each candidate's median time per item with its ratio to Agrona (the ring
 * the engine uses today) as the median and range of the per-round ratios; the same again for each
 * fork's best iteration, which another process's load disturbs least. Forks are short (two
 * warm-up and a few measured iterations of a fraction of a second: these loops compile within
 * the first), so that rounds, which are what a noisy machine needs, fit in a few minutes.
 * Arguments: {@code [rounds] [iterations] [millisecondsPerIteration]}.
 */
public final class HandOffComparison
{
    /** One comparison: its candidates, the first the anchor, and whether the producer also drains. */
    private record Use(String title, List<String> candidates, boolean sameThread)
    {
    }

    private static final List<Use> USES = List.of(
        new Use("descriptors, one producer thread, one consumer thread",
            List.of("descriptorsAgrona", "descriptorsDisruptor", "descriptorsJctools", "descriptorsAgronaQueue"), false),
        new Use("references, one producer thread, one consumer thread",
            List.of("manyToOneAgrona", "manyToOneJctools", "manyToOneDisruptor"), false),
        new Use("references, " + HandOffBenchmark.PRODUCERS + " producer threads, one consumer thread (time per item per producer)",
            List.of("twoToOneAgrona", "twoToOneJctools", "twoToOneDisruptor"), false),
        new Use("descriptors, one thread offering a burst then draining it (CPU cost, no waiting)",
            List.of("descriptorsAgrona", "descriptorsDisruptor", "descriptorsJctools", "descriptorsAgronaQueue"), true),
        new Use("references, one thread offering a burst then draining it (CPU cost, no waiting)",
            List.of("manyToOneAgrona", "manyToOneJctools", "manyToOneDisruptor"), true));
    private static final int WARMUPS = 2;

    private HandOffComparison()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        final int iterations = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        final TimeValue time = TimeValue.milliseconds(args.length > 2 ? Integer.parseInt(args[2]) : 300);
        final long start = System.nanoTime();
        System.out.println("hand-off, one consumer draining " + HandOffBenchmark.DRAIN_LIMIT
            + " at a time, ring of " + HandOffBenchmark.RING_SIZE + "; " + rounds + " rounds, order rotating, "
            + WARMUPS + "+" + iterations + " iterations of " + time + " per fork; load average " + loadAverage());
        for (final Use use : USES)
        {
            System.out.println();
            System.out.println(use.title());
            compare(use, rounds, iterations, time);
        }
        System.out.printf(Locale.ROOT, "took %.0f s; load average %s%n", (System.nanoTime() - start) / 1e9, loadAverage());
    }

    private static String loadAverage()
    {
        return String.format(Locale.ROOT, "%.2f", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    private static void compare(final Use use, final int rounds, final int iterations, final TimeValue time)
        throws Exception
    {
        final List<String> candidates = use.candidates();
        final int n = candidates.size();
        final double[][] ns = new double[n][rounds];
        final double[][] best = new double[n][rounds];
        final double[] alloc = new double[n];
        for (int round = 0; round < rounds; round++)
        {
            for (int k = 0; k < n; k++)
            {
                final int candidate = (k + round) % n;
                final RunResult result = ProfiledRun.runMethod(
                    HandOffBenchmark.class, candidates.get(candidate), WARMUPS, iterations, time, "sameThread", String.valueOf(use.sameThread()));
                ns[candidate][round] = ProfiledRun.medianIterationScore(result);
                best[candidate][round] = ProfiledRun.minIterationScore(result);
                alloc[candidate] = Math.max(alloc[candidate], ProfiledRun.allocatedBytesPerOp(result));
            }
        }
        System.out.printf(Locale.ROOT, "%-24s %9s %28s %9s %28s %8s%n", "candidate", "median ns", "ratio to first: median (range)",
            "best ns", "best ratio: median (range)", "B/item");
        for (int c = 0; c < n; c++)
        {
            System.out.printf(Locale.ROOT, "%-24s %9.2f %28s %9.2f %28s %8.3f%n", candidates.get(c),
                median(ns[c]), ratios(ns[c], ns[0]), median(best[c]), ratios(best[c], best[0]), alloc[c]);
        }
    }

    /** The per-round ratios of {@code values} to {@code first}: their median and range. */
    private static String ratios(final double[] values, final double[] first)
    {
        final double[] ratios = new double[values.length];
        for (int round = 0; round < values.length; round++)
        {
            ratios[round] = values[round] / first[round];
        }
        return String.format(Locale.ROOT, "%.3f (%.3f..%.3f)", median(ratios), min(ratios), max(ratios));
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
