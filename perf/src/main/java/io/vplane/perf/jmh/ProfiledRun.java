package io.vplane.perf.jmh;

import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.lang.management.ManagementFactory;
import java.util.Collection;

/**
 * Runs one benchmark class with the GC profiler, so every result carries the bytes allocated per
 * operation, and with this JVM's flags (which the perf scripts read from bin/jvm.options).
 * Arguments of the harnesses: {@code [iterations] [secondsPerIteration]}.
 */
public final class ProfiledRun
{
    private ProfiledRun()
    {
    }

    public static Collection<RunResult> run(final Class<?> benchmark, final String[] args) throws RunnerException
    {
        final int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        final int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        return new Runner(new OptionsBuilder()
            .include(benchmark.getName())
            .addProfiler(GCProfiler.class)
            .warmupIterations(3)
            .measurementIterations(iterations)
            .measurementTime(TimeValue.seconds(seconds))
            .jvmArgsPrepend(ManagementFactory.getRuntimeMXBean().getInputArguments().toArray(String[]::new))
            .build()).run();
    }

    /** The benchmark method's name, without its class. */
    public static String method(final RunResult result)
    {
        return result.getParams().getBenchmark().replaceAll(".*\\.", "");
    }

    /** Bytes allocated per operation, or NaN when the GC profiler gave none. */
    public static double allocatedBytesPerOp(final RunResult result)
    {
        final Result<?> alloc = result.getSecondaryResults().get("gc.alloc.rate.norm");
        return null == alloc ? Double.NaN : alloc.getScore();
    }
}
