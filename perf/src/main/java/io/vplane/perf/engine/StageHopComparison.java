package io.vplane.perf.engine;

import io.vplane.perf.jmh.ProfiledRun;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;

import java.util.Collection;
import java.util.Locale;

/**
 * Runs {@link StageHopBenchmark} with the GC profiler and prints the engine's hop next to the bare
 * Agrona ring, with the ratio against the goal (no more than 10% over the bare ring) and the bytes
 * allocated per message. Arguments: {@code [iterations] [secondsPerIteration]}.
 */
public final class StageHopComparison
{
    private static final double GOAL_RATIO = 1.10;

    private StageHopComparison()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final Collection<RunResult> results = ProfiledRun.run(StageHopBenchmark.class, args);

        double bare = Double.NaN;
        double engine = Double.NaN;
        System.out.println();
        System.out.println("stage hop, burst of " + StageHopBenchmark.BURST + " descriptors, one thread");
        System.out.printf(Locale.ROOT, "%-32s %12s %12s %16s%n", "path", "ns/message", "± error", "alloc B/message");
        for (final RunResult result : results)
        {
            final String name = ProfiledRun.method(result);
            final Result<?> primary = result.getPrimaryResult();
            final String label = "bareRing".equals(name) ? "bare Agrona OneToOneRingBuffer" : "vplane engine hop";
            System.out.printf(Locale.ROOT, "%-32s %12.2f %12.2f %16.3f%n", label, primary.getScore(), primary.getScoreError(),
                ProfiledRun.allocatedBytesPerOp(result));
            if ("bareRing".equals(name))
            {
                bare = primary.getScore();
            }
            else
            {
                engine = primary.getScore();
            }
        }
        final double ratio = engine / bare;
        System.out.printf(Locale.ROOT, "ratio engine/bare: %.3f (goal <= %.2f: %s)%n", ratio, GOAL_RATIO,
            ratio <= GOAL_RATIO ? "met" : "not met");
    }
}
