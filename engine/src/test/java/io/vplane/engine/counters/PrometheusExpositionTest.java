package io.vplane.engine.counters;

import org.agrona.concurrent.status.AtomicCounter;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PrometheusExpositionTest
{
    private final Counters counters = Counters.inMemory(32);

    @Test
    void writesFamiliesWithTypeAndHelp()
    {
        counters.counter(EngineMetrics.GROUP_REQUESTS_TOTAL, "pool", "blk", "group", "blk.lo1.g0", "worker", "blk-0").set(10);
        counters.counter(EngineMetrics.GROUP_REQUESTS_TOTAL, "pool", "blk", "group", "blk.lo1.g1", "worker", "blk-1").set(20);
        counters.gauge(EngineMetrics.QUEUE_RING_OCCUPANCY, "pool", "blk", "device", "lo1", "queue", "0").set(5);
        counters.counter("custom_things_total", "kind", "a \"b\"").set(3);

        final String text = PrometheusExposition.text(counters.reader());

        assertThat(text)
            .containsOnlyOnce("# TYPE vplane_group_requests_total counter\n")
            .contains("# HELP vplane_group_requests_total Requests processed by a queue group.\n")
            .contains("vplane_group_requests_total{group=\"blk.lo1.g0\",pool=\"blk\",worker=\"blk-0\"} 10.0\n")
            .contains("vplane_group_requests_total{group=\"blk.lo1.g1\",pool=\"blk\",worker=\"blk-1\"} 20.0\n")
            .contains("# TYPE vplane_queue_ring_occupancy gauge\n")
            .contains("vplane_queue_ring_occupancy{device=\"lo1\",pool=\"blk\",queue=\"0\"} 5.0\n")
            .contains("# TYPE custom_things_total counter\n")
            .contains("# HELP custom_things_total vplane counter.\n")
            .contains("custom_things_total{kind=\"a \\\"b\\\"\"} 3.0\n");
    }

    @Test
    void leavesOutFreedAndForeignCounters()
    {
        counters.counter("kept_total").set(1);
        final AtomicCounter freed = counters.counter("freed_total");
        freed.close();
        // Written straight to the manager, not following the conventions:
        ((ConcurrentCountersManager)counters.reader()).allocate("not a sample name", CounterKind.COUNTER.typeId());
        ((ConcurrentCountersManager)counters.reader()).allocate("unknown_type_total", 99);

        final String text = PrometheusExposition.text(counters.reader());

        assertThat(text).contains("kept_total 1.0").doesNotContain("freed").doesNotContain("unknown_type").doesNotContain("not a");
    }

    @Test
    void emptyReaderGivesEmptyText()
    {
        assertThat(PrometheusExposition.text(counters.reader())).isEmpty();
    }

    @Test
    void shouldGroupBucketCountersWithLeIntoOneCumulativeHistogramFamily()
    {
        counters.histogramPart("lat_us_bucket", "disk", "d0", "le", "16").set(3);
        counters.histogramPart("lat_us_bucket", "disk", "d0", "le", "32").set(2);
        counters.histogramPart("lat_us_bucket", "disk", "d0", "le", "+Inf").set(1);
        counters.histogramPart("lat_us_sum", "disk", "d0").set(100);
        counters.histogramPart("lat_us_bucket", "disk", "d1", "le", "16").set(0);
        counters.histogramPart("lat_us_bucket", "disk", "d1", "le", "+Inf").set(0);

        final String text = PrometheusExposition.text(counters.reader());

        assertThat(text)
            .containsOnlyOnce("# TYPE lat_us histogram\n")
            .contains("lat_us_bucket{disk=\"d0\",le=\"16.0\"} 3\n")
            .contains("lat_us_bucket{disk=\"d0\",le=\"32.0\"} 5\n")
            .contains("lat_us_bucket{disk=\"d0\",le=\"+Inf\"} 6\n")
            .contains("lat_us_count{disk=\"d0\"} 6\n")
            .contains("lat_us_sum{disk=\"d0\"} 100.0\n")
            .contains("lat_us_count{disk=\"d1\"} 0\n")
            .doesNotContain("# TYPE lat_us_sum")
            .doesNotContain("# TYPE lat_us_bucket");
    }
}
