package io.vplane.engine.counters;

/**
 * Log-scale latency buckets kept as plain counters, so a histogram lives in the counters file and
 * is readable by {@code vplane stat} and {@code /metrics} like any counter. Bucket {@code i} counts
 * values up to {@code 2^(i + MIN_SHIFT)}; the last one has no bound (+Inf). Each counter counts
 * only its own bucket (one increment per value); the Prometheus exposition makes them cumulative.
 * Counter names: {@code <name>_bucket} with an {@code le} label, and {@code <name>_sum}.
 */
public final class HistogramBuckets
{
    /** The first bucket's upper bound is 2^MIN_SHIFT (16 µs for microseconds). */
    public static final int MIN_SHIFT = 4;
    /** Buckets with a bound: 16, 32, ... 2^24 (about 16.8 s in microseconds); then +Inf. */
    public static final int BOUNDED = 21;
    public static final int COUNT = BOUNDED + 1;
    public static final String INF = "+Inf";

    private HistogramBuckets()
    {
    }

    /** Bucket of a value: the smallest {@code i} with {@code value <= upperBound(i)}; allocation-free. */
    public static int index(final long value)
    {
        if (value <= (1L << MIN_SHIFT))
        {
            return 0;
        }
        // ceil(log2(value)) - MIN_SHIFT
        final int index = 64 - Long.numberOfLeadingZeros(value - 1) - MIN_SHIFT;
        return Math.min(index, BOUNDED);
    }

    /** Upper bound of bucket {@code i}; {@link Double#POSITIVE_INFINITY} for the last. */
    public static double upperBound(final int i)
    {
        return i >= BOUNDED ? Double.POSITIVE_INFINITY : (double)(1L << (i + MIN_SHIFT));
    }

    /** The {@code le} label value of bucket {@code i}. */
    public static String le(final int i)
    {
        return i >= BOUNDED ? INF : Long.toString(1L << (i + MIN_SHIFT));
    }

    /**
     * The q-quantile (0 < q <= 1) from per-bucket counts, as the upper bound of the bucket where
     * the cumulative count reaches {@code q * total} (so never an underestimate); NaN when empty,
     * and the last finite bound when it falls into +Inf.
     *
     * @param bounds upper bounds, ascending, the last may be +Inf
     * @param counts per-bucket (not cumulative) counts, same length
     */
    public static double quantile(final double[] bounds, final long[] counts, final double q)
    {
        long total = 0;
        for (final long count : counts)
        {
            total += count;
        }
        if (0 == total)
        {
            return Double.NaN;
        }
        final double rank = Math.ceil(q * total);
        long cumulative = 0;
        for (int i = 0; i < counts.length; i++)
        {
            cumulative += counts[i];
            if (cumulative >= rank)
            {
                if (Double.isInfinite(bounds[i]))
                {
                    return i > 0 ? bounds[i - 1] : Double.NaN;
                }
                return bounds[i];
            }
        }
        return bounds[bounds.length - 1];
    }
}
