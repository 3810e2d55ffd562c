package io.vplane.perf.report;

import java.util.Arrays;
import java.util.List;

/** The median of a set of values with their lowest and highest. */
public record Spread(double median, double min, double max)
{
    /** Ratio spreads beyond this fraction either side of the median are too noisy to conclude. */
    public static final double NOISE_FRACTION = 0.15;

    public static Spread of(final List<Double> values)
    {
        if (values.isEmpty())
        {
            throw new IllegalArgumentException("no values");
        }
        final double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return new Spread(median(sorted), sorted[0], sorted[sorted.length - 1]);
    }

    static double median(final double[] sorted)
    {
        final int n = sorted.length;
        return (n & 1) == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
    }

    /** True when min or max lies beyond {@code fraction} of the median, either side. */
    public boolean isWiderThan(final double fraction)
    {
        return min < median * (1 - fraction) || max > median * (1 + fraction);
    }

    /** True when {@code value} lies within [min, max]. */
    public boolean contains(final double value)
    {
        return value >= min && value <= max;
    }

    @Override
    public String toString()
    {
        return Arrays.toString(new double[] {median, min, max});
    }
}
