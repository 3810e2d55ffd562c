package io.vplane.perf.jmh;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.TimeValue;

import java.util.List;
import java.util.Locale;

/**
 * The side-by-side protocol (docs/benchmarks.md) for a JMH comparison whose sides are benchmark
 * methods of one class: {@code --sides} lists them; {@code --side S [--quick]} runs S's method in one
 * fresh fork per case and prints one {@code figure} line per case (the median of the fork's
 * iterations), so that perf/bin/pairs and perf/bin/report interleave the sides like any other.
 */
public final class JmhSides
{
    /** A side: its name, "subject" or "anchor", what it is, and the benchmark method that measures it. */
    public record SideMethod(String name, String role, String description, String method)
    {
    }

    /** A case: its name in the figures and the benchmark's {@code @Param} values as name, value pairs. */
    public record Case(String name, String... params)
    {
    }

    /** How a score becomes a figure: metric, unit, which way is better, and the factor from JMH's unit. */
    public record Metric(String name, String unit, String better, double scale)
    {
    }

    private JmhSides()
    {
    }

    /** True when {@code args} asked for the protocol and it was answered; false for the class's own entry. */
    public static boolean answer(
        final String[] args, final Class<?> benchmark, final List<SideMethod> sides, final List<Case> cases, final Metric metric)
        throws RunnerException
    {
        if (args.length > 0 && "--sides".equals(args[0]))
        {
            sides.forEach(side -> System.out.println(side.name() + "\t" + side.role() + "\t" + side.description()));
            return true;
        }
        if (args.length < 2 || !"--side".equals(args[0]))
        {
            return false;
        }
        final SideMethod side = sides.stream().filter(s -> s.name().equals(args[1])).findFirst()
            .orElseThrow(() -> new IllegalArgumentException("no side '" + args[1] + "'"));
        final boolean quick = args.length > 2 && "--quick".equals(args[2]);
        for (final Case c : cases)
        {
            final RunResult result = ProfiledRun.runMethod(benchmark, side.method(), quick ? 1 : 3, quick ? 2 : 5,
                TimeValue.seconds(1), c.params());
            System.out.printf(Locale.ROOT, "figure\t%s\t%s\t%.4f\t%s\t%s%n", c.name(), metric.name(),
                ProfiledRun.medianIterationScore(result) * metric.scale(), metric.unit(), metric.better());
            System.out.printf(Locale.ROOT, "%s, %s: %.3f B allocated per operation%n", side.name(), c.name(),
                ProfiledRun.allocatedBytesPerOp(result));
        }
        return true;
    }
}
