package io.vplane.perf.jmh;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.options.TimeValue;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One side of a side-by-side JMH benchmark (the protocol of docs/benchmarks.md): runs each case,
 * one benchmark method in one fork with the GC profiler, and prints its figures as
 * {@code figure<TAB>CASE<TAB>METRIC<TAB>VALUE<TAB>UNIT<TAB>BETTER} lines: the median of the
 * measured iterations (time stolen by other processes comes in bursts, which the median resists),
 * the best iteration, and the bytes allocated per operation. The sides are interleaved by the
 * caller, one fork per side and pair.
 *
 * <p>Arguments: the timing and metric options first, then one or more cases:
 * {@code [--warmups 3] [--iterations 5] [--time 1s|200ms] [--metric time] [--unit ns/op]
 * [--scale 1] [--per op] --case LABEL --bench CLASS.METHOD [--param NAME=VALUE]... [--case ...]}.
 * {@code --scale} multiplies the score into {@code --unit} (e.g. 1e-6 for ops/s to Mpps);
 * whether higher is better follows from JMH's mode (throughput or time).
 */
public final class SideFigures
{
    private record Case(String label, String benchmark, List<String> params)
    {
    }

    private SideFigures()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        int warmups = 3;
        int iterations = 5;
        TimeValue time = TimeValue.seconds(1);
        String metric = "time";
        String unit = "ns/op";
        double scale = 1;
        String per = "op";
        final List<Case> cases = new ArrayList<>();
        for (int i = 0; i < args.length; i += 2)
        {
            if (i + 1 >= args.length)
            {
                throw new IllegalArgumentException("option " + args[i] + " needs a value");
            }
            final String value = args[i + 1];
            switch (args[i])
            {
                case "--warmups" -> warmups = Integer.parseInt(value);
                case "--iterations" -> iterations = Integer.parseInt(value);
                case "--time" -> time = TimeValue.fromString(value);
                case "--metric" -> metric = value;
                case "--unit" -> unit = value;
                case "--scale" -> scale = Double.parseDouble(value);
                case "--per" -> per = value;
                case "--case" -> cases.add(new Case(value, null, new ArrayList<>()));
                case "--bench" -> cases.set(cases.size() - 1, new Case(last(cases, args[i]).label(), value, last(cases, args[i]).params()));
                case "--param" ->
                {
                    final int eq = value.indexOf('=');
                    if (eq < 1)
                    {
                        throw new IllegalArgumentException("--param wants NAME=VALUE, not " + value);
                    }
                    last(cases, args[i]).params().add(value.substring(0, eq));
                    last(cases, args[i]).params().add(value.substring(eq + 1));
                }
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (cases.isEmpty())
        {
            throw new IllegalArgumentException("no --case given");
        }
        for (final Case c : cases)
        {
            if (null == c.benchmark())
            {
                throw new IllegalArgumentException("case '" + c.label() + "' has no --bench CLASS.METHOD");
            }
            final int dot = c.benchmark().lastIndexOf('.');
            final RunResult result = ProfiledRun.runMethod(Class.forName(c.benchmark().substring(0, dot)),
                c.benchmark().substring(dot + 1), warmups, iterations, time, c.params().toArray(String[]::new));
            final boolean higher = !result.getPrimaryResult().getScoreUnit().contains("/op");
            final String better = higher ? "higher" : "lower";
            final double best = higher ? ProfiledRun.maxIterationScore(result) : ProfiledRun.minIterationScore(result);
            figure(c.label(), metric, ProfiledRun.medianIterationScore(result) * scale, unit, better);
            figure(c.label(), "best " + metric, best * scale, unit, better);
            figure(c.label(), "allocation", ProfiledRun.allocatedBytesPerOp(result), "B/" + per, "lower");
        }
    }

    private static Case last(final List<Case> cases, final String option)
    {
        if (cases.isEmpty())
        {
            throw new IllegalArgumentException(option + " must follow a --case");
        }
        return cases.getLast();
    }

    private static void figure(final String label, final String metric, final double value, final String unit, final String better)
    {
        System.out.printf(Locale.ROOT, "figure\t%s\t%s\t%s\t%s\t%s%n", label, metric, plain(value), unit, better);
    }

    /** Four significant digits (whole numbers from 1000 up), without an exponent. */
    private static String plain(final double value)
    {
        if (Double.isNaN(value) || Double.isInfinite(value))
        {
            return "NaN";
        }
        return Math.abs(value) >= 1000 ? String.format(Locale.ROOT, "%.0f", value)
            : new BigDecimal(value).round(new MathContext(4)).stripTrailingZeros().toPlainString();
    }
}
