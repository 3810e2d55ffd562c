package io.vplane.perf.engine;

import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.lang.management.ManagementFactory;
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
        final int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        final int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        final Options options = new OptionsBuilder()
            .include(StageHopBenchmark.class.getName())
            .addProfiler(GCProfiler.class)
            .warmupIterations(3)
            .measurementIterations(iterations)
            .measurementTime(TimeValue.seconds(seconds))
            // the fork gets this JVM's flags, which the launcher read from bin/jvm.options
            .jvmArgsPrepend(ManagementFactory.getRuntimeMXBean().getInputArguments().toArray(String[]::new))
            .build();
        final Collection<RunResult> results = new Runner(options).run();

        double bare = Double.NaN;
        double engine = Double.NaN;
        System.out.println();
        System.out.println("stage hop, burst of " + StageHopBenchmark.BURST + " descriptors, one thread");
        System.out.printf(Locale.ROOT, "%-32s %12s %12s %16s%n", "path", "ns/message", "± error", "alloc B/message");
        for (final RunResult result : results)
        {
            final String name = result.getParams().getBenchmark().replaceAll(".*\\.", "");
            final Result<?> primary = result.getPrimaryResult();
            final Result<?> alloc = result.getSecondaryResults().get("gc.alloc.rate.norm");
            final String label = "bareRing".equals(name) ? "bare Agrona OneToOneRingBuffer" : "vplane engine hop";
            System.out.printf(Locale.ROOT, "%-32s %12.2f %12.2f %16.3f%n", label, primary.getScore(), primary.getScoreError(),
                null == alloc ? Double.NaN : alloc.getScore());
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
