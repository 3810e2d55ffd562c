package io.vplane.engine.counters;

import org.agrona.concurrent.status.AtomicCounter;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class MetricsScrapeTest
{
    private final Counters counters = Counters.inMemory(256);
    private final MetricsScrape scrape = new MetricsScrape(counters.reader());

    @Test
    void shouldServeTheSameTextAsAOneOffExpositionWithTheValuesOfNow()
    {
        final AtomicCounter requests = daemonLikeCounters();

        final String first = text();
        requests.increment();
        final String second = text();

        assertThat(first).isEqualTo(PrometheusExposition.text(counters.reader()).replace(
            "vplane_group_requests_total{group=\"blk.d0.g0\",pool=\"blk\",worker=\"blk-0\"} 8.0",
            "vplane_group_requests_total{group=\"blk.d0.g0\",pool=\"blk\",worker=\"blk-0\"} 7.0"));
        assertThat(second).isEqualTo(PrometheusExposition.text(counters.reader()))
            .contains("vplane_group_requests_total{group=\"blk.d0.g0\",pool=\"blk\",worker=\"blk-0\"} 8.0\n")
            .contains("lat_us_bucket{disk=\"d0\",le=\"+Inf\"} 6\n");
    }

    @Test
    void shouldSeeCountersThatComeGoOrReuseASlot()
    {
        counters.counter("kept_total").set(1);
        final AtomicCounter leaving = counters.counter("leaving_total", "device", "a");
        assertThat(text()).contains("kept_total 1.0").contains("leaving_total{device=\"a\"} 0.0");

        counters.gauge("arrived", "device", "b").set(4);
        assertThat(text()).contains("arrived{device=\"b\"} 4.0");

        leaving.close();
        assertThat(text()).contains("kept_total 1.0").doesNotContain("leaving");

        // A freed slot taken again by a counter of another name, with nothing else changed in between.
        final AtomicCounter again = counters.counter("reused_total", "device", "c");
        again.set(9);
        assertThat(text()).contains("reused_total{device=\"c\"} 9.0").doesNotContain("leaving");
    }

    @Test
    void shouldAllocateAFractionOfWhatBuildingTheFamiliesEachTimeDoes()
    {
        daemonLikeCounters();
        final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        for (int i = 0; i < 300; i++) // past the JIT's first tiers, as a daemon is after its first minutes
        {
            scrape.text();
            PrometheusExposition.text(counters.reader());
        }

        final int rounds = 100;
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < rounds; i++)
        {
            scrape.text();
        }
        final long cached = (threads.getCurrentThreadAllocatedBytes() - before) / rounds;
        before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < rounds; i++)
        {
            PrometheusExposition.text(counters.reader()).getBytes(StandardCharsets.UTF_8);
        }
        final long rebuilt = (threads.getCurrentThreadAllocatedBytes() - before) / rounds;

        System.out.printf("bytes allocated per scrape: kept families %d, rebuilt %d, text %d bytes%n",
            cached, rebuilt, scrape.text().length);
        assertThat(cached).isLessThan(rebuilt / 3);
    }

    /** The shape and about the size (~100 series, ~9 KB of text) of a daemon's counters. */
    private AtomicCounter daemonLikeCounters()
    {
        AtomicCounter requests = null;
        for (int g = 0; g < 16; g++)
        {
            final AtomicCounter counter = counters.counter(EngineMetrics.GROUP_REQUESTS_TOTAL,
                "pool", "blk", "group", "blk.d0.g" + g, "worker", "blk-" + (g % 2));
            counter.set(7);
            requests = null == requests ? counter : requests;
            counters.counter(EngineMetrics.QUEUE_BUSY_NS_TOTAL, "pool", "blk", "device", "d0", "queue", Integer.toString(g))
                .set(123_456_789L * g);
            counters.gauge(EngineMetrics.QUEUE_RING_OCCUPANCY, "pool", "blk", "device", "d0", "queue", Integer.toString(g)).set(g);
        }
        for (final String worker : new String[] {"net-0", "blk-0", "vsock-0"})
        {
            counters.counter(EngineMetrics.WORKER_BUSY_NS_TOTAL, "pool", worker.substring(0, worker.indexOf('-')), "worker", worker)
                .set(987_654_321L);
            counters.counter(EngineMetrics.WORKER_DUTY_CYCLES_TOTAL, "pool", "p", "worker", worker).set(42);
        }
        for (final String disk : new String[] {"d0", "d1", "d2"})
        {
            counters.histogramPart("lat_us_bucket", "disk", disk, "le", "16").set(3);
            counters.histogramPart("lat_us_bucket", "disk", disk, "le", "32").set(2);
            counters.histogramPart("lat_us_bucket", "disk", disk, "le", "+Inf").set(1);
            counters.histogramPart("lat_us_sum", "disk", disk).set(100);
        }
        return requests;
    }

    private String text()
    {
        return new String(scrape.text(), StandardCharsets.UTF_8);
    }
}
