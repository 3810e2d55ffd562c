package io.vplane.perf.jmh;

import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

import java.lang.management.ManagementFactory;
import java.util.Collection;
import java.util.List;

/**
 * Runs one benchmark class with the GC profiler, so every result carries the bytes allocated per
 * operation, and with this JVM's flags (which the perf scripts read from bin/jvm.options).
 * Arguments of the harnesses: {@code [iterations] [secondsPerIteration]}.
 */
public final class ProfiledRun
{
    private static final int WARMUP_ITERATIONS = 3;

    private ProfiledRun()
    {
    }

    public static Collection<RunResult> run(final Class<?> benchmark, final String[] args) throws RunnerException
    {
        final int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        final int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        return new Runner(options(benchmark.getName(), WARMUP_ITERATIONS, iterations, TimeValue.seconds(seconds)).build()).run();
    }

    /** Runs one benchmark method in one fork, e.g. one round of an A/B comparison. */
    public static RunResult runMethod(final Class<?> benchmark, final String method, final int iterations, final int seconds)
        throws RunnerException
    {
        return runSingle(options(benchmark.getName() + "." + method + "$", WARMUP_ITERATIONS, iterations, TimeValue.seconds(seconds)));
    }

    /**
     * As above, with warm-up and measurement iterations of {@code time} each, where the one above
     * warms up for JMH's default of 10 s an iteration: short forks, so that many rounds fit.
     *
     * @param params the benchmark's {@code @Param} values as name, value pairs
     */
    public static RunResult runMethod(
        final Class<?> benchmark, final String method, final int warmups, final int iterations, final TimeValue time,
        final String... params)
        throws RunnerException
    {
        final ChainedOptionsBuilder options = options(benchmark.getName() + "." + method + "$", warmups, iterations, time).warmupTime(time);
        for (int i = 0; i + 1 < params.length; i += 2)
        {
            options.param(params[i], params[i + 1]);
        }
        return runSingle(options);
    }

    private static RunResult runSingle(final ChainedOptionsBuilder options) throws RunnerException
    {
        return new Runner(options.forks(1).verbosity(VerboseMode.SILENT).build()).runSingle();
    }

    private static ChainedOptionsBuilder options(final String include, final int warmups, final int iterations, final TimeValue time)
    {
        return new OptionsBuilder()
            .include(include)
            .addProfiler(GCProfiler.class)
            .warmupIterations(warmups)
            .measurementIterations(iterations)
            .measurementTime(time)
            .jvmArgsPrepend(ManagementFactory.getRuntimeMXBean().getInputArguments().toArray(String[]::new));
    }

    /** The benchmark method's name, without its class. */
    public static String method(final RunResult result)
    {
        return result.getParams().getBenchmark().replaceAll(".*\\.", "");
    }

    /**
     * The median of every measurement iteration of every fork. On a shared machine, time stolen by
     * other processes only ever adds to an iteration, in bursts, so the median resists it where the
     * mean does not.
     */
    public static double medianIterationScore(final RunResult result)
    {
        final List<Double> scores = iterationScores(result);
        final int middle = scores.size() / 2;
        return scores.size() % 2 == 1 ? scores.get(middle) : (scores.get(middle - 1) + scores.get(middle)) / 2;
    }

    /** The lowest measurement iteration: for a time per operation, the one least disturbed by other processes. */
    public static double minIterationScore(final RunResult result)
    {
        return iterationScores(result).getFirst();
    }

    /** The highest measurement iteration: for a rate, the one least disturbed by other processes. */
    public static double maxIterationScore(final RunResult result)
    {
        return iterationScores(result).getLast();
    }

    private static List<Double> iterationScores(final RunResult result)
    {
        return result.getBenchmarkResults().stream()
            .flatMap(benchmark -> benchmark.getIterationResults().stream())
            .map(iteration -> iteration.getPrimaryResult().getScore())
            .sorted()
            .toList();
    }

    /** Bytes allocated per operation, or NaN when the GC profiler gave none. */
    public static double allocatedBytesPerOp(final RunResult result)
    {
        final Result<?> alloc = result.getSecondaryResults().get("gc.alloc.rate.norm");
        return null == alloc ? Double.NaN : alloc.getScore();
    }
}
