package io.vplane.engine.device;

import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;

import static org.assertj.core.api.Assertions.assertThat;

class RequestLatencyTest
{
    @Test
    void shouldPlaceEveryValueInABucketWhoseBoundsHoldItWithinAnEighth()
    {
        for (long value = 0; value < 5_000_000; value = value < 64 ? value + 1 : value * 9 / 8 + 1)
        {
            final int bucket = RequestLatency.bucket(value);
            assertThat(RequestLatency.upperBound(bucket)).as("value %d", value).isGreaterThanOrEqualTo(value);
            if (bucket > 0)
            {
                assertThat(RequestLatency.upperBound(bucket - 1)).as("value %d", value).isLessThan(value);
            }
            assertThat((double)RequestLatency.upperBound(bucket)).as("value %d", value).isLessThanOrEqualTo(value * 1.125 + 1);
        }
        assertThat(RequestLatency.bucket(-5)).isZero();
        assertThat(RequestLatency.bucket(Long.MAX_VALUE)).isEqualTo(RequestLatency.BUCKETS - 1);
    }

    @Test
    void shouldGiveQuantilesOfTheRecordedValues()
    {
        final RequestLatency latency = new RequestLatency();
        for (int i = 1; i <= 1000; i++)
        {
            latency.record(i * 1_000L);
        }
        final long[] counts = new long[RequestLatency.BUCKETS];
        latency.addTo(counts);

        assertThat(RequestLatency.quantile(counts, 0.50)).isBetween(500_000L, 562_500L);
        assertThat(RequestLatency.quantile(counts, 0.99)).isBetween(990_000L, 1_113_750L);
        assertThat(RequestLatency.quantile(new long[RequestLatency.BUCKETS], 0.99)).isZero();
    }

    @Test
    void shouldNotAllocateWhileRecording()
    {
        final var threads = (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final RequestLatency latency = new RequestLatency();
        for (int i = 0; i < 200_000; i++)
        {
            latency.record(i);
        }
        final long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 1_000_000; i++)
        {
            latency.record(i * 37L);
        }
        assertThat(threads.getCurrentThreadAllocatedBytes() - before).isZero();
    }
}
