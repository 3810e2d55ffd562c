package io.vplane.engine.counters;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class HistogramBucketsTest
{
    @Test
    void shouldPutEachValueInTheSmallestBucketWhoseBoundHoldsIt()
    {
        assertThat(HistogramBuckets.index(0)).isZero();
        assertThat(HistogramBuckets.index(16)).isZero();
        assertThat(HistogramBuckets.index(17)).isEqualTo(1);
        assertThat(HistogramBuckets.index(32)).isEqualTo(1);
        assertThat(HistogramBuckets.index(33)).isEqualTo(2);
        assertThat(HistogramBuckets.index(1L << 24)).isEqualTo(HistogramBuckets.BOUNDED - 1);
        assertThat(HistogramBuckets.index((1L << 24) + 1)).isEqualTo(HistogramBuckets.BOUNDED);
        assertThat(HistogramBuckets.index(Long.MAX_VALUE)).isEqualTo(HistogramBuckets.BOUNDED);
        for (long v = 1; v < 100_000; v += 7)
        {
            final int i = HistogramBuckets.index(v);
            assertThat(v).isLessThanOrEqualTo((long)HistogramBuckets.upperBound(i));
            if (i > 0)
            {
                assertThat(v).isGreaterThan((long)HistogramBuckets.upperBound(i - 1));
            }
        }
    }

    @Test
    void shouldNameBoundsAsLeLabels()
    {
        assertThat(HistogramBuckets.le(0)).isEqualTo("16");
        assertThat(HistogramBuckets.le(3)).isEqualTo("128");
        assertThat(HistogramBuckets.le(HistogramBuckets.BOUNDED)).isEqualTo("+Inf");
        assertThat(HistogramBuckets.upperBound(HistogramBuckets.BOUNDED)).isInfinite();
    }

    @Test
    void shouldComputeQuantilesAsTheBoundOfTheBucketReachingTheRank()
    {
        final double[] bounds = {16, 32, 64, Double.POSITIVE_INFINITY};
        final long[] counts = {50, 40, 9, 1};

        assertThat(HistogramBuckets.quantile(bounds, counts, 0.5)).isEqualTo(16);
        assertThat(HistogramBuckets.quantile(bounds, counts, 0.51)).isEqualTo(32);
        assertThat(HistogramBuckets.quantile(bounds, counts, 0.99)).isEqualTo(64);
        assertThat(HistogramBuckets.quantile(bounds, counts, 0.999)).isEqualTo(64); // in +Inf: last finite bound
        assertThat(HistogramBuckets.quantile(bounds, new long[4], 0.5)).isNaN();
    }
}
