package io.vplane.engine.device;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Latencies of one queue's requests, from when a request was offered to when it was served, in a
 * pre-sized log histogram: 8 linear buckets per power of two, so a value is known to within 12.5%.
 * One thread records (the queue's consumer; a rebind hands the queue over with a happens-before);
 * any thread may read, bucket by bucket, without a lock. Recording allocates nothing.
 */
public final class RequestLatency
{
    private static final int SUB_BITS = 3;
    private static final int SUB = 1 << SUB_BITS;
    /** Largest exponent kept apart: 2^40 ns is about 18 minutes; longer ones share the top bucket. */
    private static final int MAX_EXPONENT = 40;
    /** Buckets in all. */
    public static final int BUCKETS = bucket((1L << (MAX_EXPONENT + 1)) - 1) + 1;
    private static final VarHandle COUNTS = MethodHandles.arrayElementVarHandle(long[].class);

    private final long[] counts = new long[BUCKETS];

    /** Records one request that waited and was served in {@code ns}; consumer thread only. */
    public void record(final long ns)
    {
        final int bucket = bucket(ns);
        COUNTS.setOpaque(counts, bucket, (long)COUNTS.getOpaque(counts, bucket) + 1);
    }

    /** Adds this queue's counts so far to {@code sums} (length {@link #BUCKETS}); any thread. */
    public void addTo(final long[] sums)
    {
        for (int i = 0; i < BUCKETS; i++)
        {
            sums[i] += (long)COUNTS.getOpaque(counts, i);
        }
    }

    /** The bucket of a value: values below 8 ns have their own, then 8 per power of two. */
    static int bucket(final long ns)
    {
        if (ns < SUB)
        {
            return (int)Math.max(0, ns);
        }
        final int exponent = Math.min(MAX_EXPONENT, 63 - Long.numberOfLeadingZeros(ns));
        final long top = exponent == 63 - Long.numberOfLeadingZeros(ns) ? ns >>> (exponent - SUB_BITS) : 2 * SUB - 1;
        return ((exponent - SUB_BITS + 1) << SUB_BITS) + (int)top - SUB;
    }

    /** The largest value bucket {@code i} holds. */
    static long upperBound(final int i)
    {
        if (i < SUB)
        {
            return i;
        }
        final int exponent = (i >> SUB_BITS) + SUB_BITS - 1;
        final long mantissa = (i & (SUB - 1)) + SUB;
        return ((mantissa + 1) << (exponent - SUB_BITS)) - 1;
    }

    /**
     * The q-quantile (0 < q <= 1) of per-bucket counts as the upper bound of the bucket where the
     * cumulative count reaches {@code q * total}, so never below the true value; 0 when empty.
     */
    public static long quantile(final long[] counts, final double q)
    {
        long total = 0;
        for (final long count : counts)
        {
            total += count;
        }
        if (0 == total)
        {
            return 0;
        }
        final long rank = Math.max(1, (long)Math.ceil(q * total));
        long cumulative = 0;
        for (int i = 0; i < counts.length; i++)
        {
            cumulative += counts[i];
            if (cumulative >= rank)
            {
                return upperBound(i);
            }
        }
        return upperBound(counts.length - 1);
    }
}
