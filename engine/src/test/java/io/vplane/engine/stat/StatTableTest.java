package io.vplane.engine.stat;

import io.vplane.engine.counters.CounterKind;
import io.vplane.engine.counters.CounterLabel;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.vplane.engine.counters.EngineMetrics.GROUP_REQUESTS_TOTAL;
import static io.vplane.engine.counters.EngineMetrics.INBOX_OFFER_FAILURES_TOTAL;
import static io.vplane.engine.counters.EngineMetrics.QUEUE_BUSY_NS_TOTAL;
import static io.vplane.engine.counters.EngineMetrics.QUEUE_REQUESTS_TOTAL;
import static io.vplane.engine.counters.EngineMetrics.QUEUE_RING_OCCUPANCY;
import static io.vplane.engine.counters.EngineMetrics.WORKER_BUSY_NS_TOTAL;
import static io.vplane.engine.counters.EngineMetrics.WORKER_CPU;
import static io.vplane.engine.counters.EngineMetrics.WORKER_DUTY_CYCLES_TOTAL;
import static org.assertj.core.api.Assertions.assertThat;

class StatTableTest
{
    private static final long START_MS = 1_000_000;
    private static final long SECOND_NS = 1_000_000_000L;

    @Test
    void rendersBusyPercentAndRatesFromTwoSamples()
    {
        final SampleBuilder before = new SampleBuilder()
            .counter(1, 11, 0, WORKER_BUSY_NS_TOTAL, "pool", "blk", "worker", "blk-0")
            .counter(2, 12, 0, WORKER_DUTY_CYCLES_TOTAL, "pool", "blk", "worker", "blk-0")
            .gauge(7, 17, 3, WORKER_CPU, "pool", "blk", "worker", "blk-0")
            .counter(3, 13, 100, GROUP_REQUESTS_TOTAL, "pool", "blk", "group", "blk.lo1.g0", "worker", "blk-0")
            .counter(4, 14, 1000, QUEUE_REQUESTS_TOTAL, "pool", "blk", "device", "lo1", "queue", "0")
            .gauge(5, 15, 3, QUEUE_RING_OCCUPANCY, "pool", "blk", "device", "lo1", "queue", "0")
            .counter(8, 18, 0, QUEUE_BUSY_NS_TOTAL, "pool", "blk", "device", "lo1", "queue", "0")
            .counter(6, 16, 7, INBOX_OFFER_FAILURES_TOTAL, "pool", "blk", "worker", "blk-0");
        final SampleBuilder after = new SampleBuilder()
            .counter(1, 11, 500_000_000L, WORKER_BUSY_NS_TOTAL, "pool", "blk", "worker", "blk-0")
            .counter(2, 12, 2_000_000, WORKER_DUTY_CYCLES_TOTAL, "pool", "blk", "worker", "blk-0")
            .gauge(7, 17, 3, WORKER_CPU, "pool", "blk", "worker", "blk-0")
            .counter(3, 13, 4100, GROUP_REQUESTS_TOTAL, "pool", "blk", "group", "blk.lo1.g0", "worker", "blk-0")
            .counter(4, 14, 3000, QUEUE_REQUESTS_TOTAL, "pool", "blk", "device", "lo1", "queue", "0")
            .gauge(5, 15, 9, QUEUE_RING_OCCUPANCY, "pool", "blk", "device", "lo1", "queue", "0")
            .counter(8, 18, 300_000_000L, QUEUE_BUSY_NS_TOTAL, "pool", "blk", "device", "lo1", "queue", "0")
            .counter(6, 16, 27, INBOX_OFFER_FAILURES_TOTAL, "pool", "blk", "worker", "blk-0");

        final String text = StatTable.render("/run/vplane/counters.dat", before.take(0, 0), after.take(2 * SECOND_NS, 3_723_000));

        assertThat(text).startsWith(
            "vplane stat  pid 4242  up 01:02:03  interval 2.00 s  counters /run/vplane/counters.dat\n");
        assertThat(text).contains(
            "Workers\n" +
            "  pool  worker  cpu  busy %  duty cycles/s\n" +
            "  blk   blk-0     3    25.0    1,000,000.0\n");
        assertThat(text).contains(
            "Queue groups\n" +
            "  pool  group       worker  requests/s\n" +
            "  blk   blk.lo1.g0  blk-0      2,000.0\n");
        assertThat(text).contains(
            "Queues\n" +
            "  pool  device/queue  requests/s  ring occupancy  load %\n" +
            "  blk   lo1/0            1,000.0               9    15.0\n");
        assertThat(text).contains(
            "Other counters\n" +
            "  counter                                                       value  rate/s\n" +
            "  vplane_inbox_offer_failures_total{pool=\"blk\",worker=\"blk-0\"}     27    10.0\n");
    }

    @Test
    void counterFreedAndReallocatedBetweenSamplesShowsNoRate()
    {
        // A rebind freed group g0 (registration 13) and allocated it again in the same slot (registration 21).
        final SampleBuilder before = new SampleBuilder()
            .counter(3, 13, 5_000, GROUP_REQUESTS_TOTAL, "pool", "blk", "group", "blk.lo1.g0", "worker", "blk-0")
            .counter(4, 14, 100, GROUP_REQUESTS_TOTAL, "pool", "blk", "group", "blk.lo1.g1", "worker", "blk-1");
        final SampleBuilder after = new SampleBuilder()
            .counter(3, 21, 10, GROUP_REQUESTS_TOTAL, "pool", "blk", "group", "blk.lo1.g0", "worker", "blk-1")
            .counter(5, 22, 0, GROUP_REQUESTS_TOTAL, "pool", "blk", "group", "blk.lo1.g2", "worker", "blk-0");

        final String text = StatTable.render("f", before.take(0, 0), after.take(SECOND_NS, 1000));

        assertThat(text).contains(
            "  pool  group       worker  requests/s\n" +
            "  blk   blk.lo1.g0  blk-1            -\n" +
            "  blk   blk.lo1.g2  blk-0            -\n");
        assertThat(text).doesNotContain("blk.lo1.g1");
    }

    @Test
    void sortsWorkersNaturally()
    {
        final SampleBuilder sample = new SampleBuilder();
        for (final int worker : new int[] {10, 2, 1})
        {
            sample.counter(worker, worker, 0, WORKER_DUTY_CYCLES_TOTAL, "pool", "net", "worker", "net-" + worker);
        }

        final String text = StatTable.render("f", sample.take(0, 0), sample.take(SECOND_NS, 0));

        assertThat(text.indexOf("net-1 ")).isLessThan(text.indexOf("net-2 "));
        assertThat(text.indexOf("net-2 ")).isLessThan(text.indexOf("net-10"));
        assertThat(text).contains("  net   net-1     -       -            0.0\n");
    }

    @Test
    void showsCountersThatDoNotFollowTheConventionAsTheyAre()
    {
        final List<CounterValue> odd = List.of(new CounterValue(0, 1, null, "some aeron-style label: 7", null, 42));
        final Sample sample = new Sample(1, 0, 0, 0, odd);

        final String text = StatTable.render("f", sample, new Sample(1, 0, 0, SECOND_NS, odd));

        assertThat(text).contains("  some aeron-style label: 7     42\n");
    }

    @Test
    void saysSoWhenThereAreNoCounters()
    {
        final Sample empty = new Sample(1, 0, 0, 0, List.of());

        assertThat(StatTable.render("f", empty, empty)).endsWith("(no counters yet)\n");
    }

    @Test
    void formatsLongUptimes()
    {
        assertThat(StatTable.formatUptime(((2 * 24 + 3) * 3600 + 4 * 60 + 5) * 1000L)).isEqualTo("2d 03:04:05");
    }

    @Test
    void shouldShowLatencyQuantilesReadOffTheBuckets()
    {
        final SampleBuilder sample = new SampleBuilder()
            .counter(1, 11, 50, "lat_us_bucket", "disk", "d0", "le", "16")
            .counter(2, 12, 40, "lat_us_bucket", "disk", "d0", "le", "32")
            .counter(3, 13, 9, "lat_us_bucket", "disk", "d0", "le", "64")
            .counter(4, 14, 1, "lat_us_bucket", "disk", "d0", "le", "+Inf")
            .counter(5, 15, 2500, "lat_us_sum", "disk", "d0");

        final String text = StatTable.render("c.dat", sample.take(0, 0), sample.take(SECOND_NS, 1000));

        assertThat(text).contains(
            "Latency (since start)\n" +
            "  histogram        count  mean   p50   p99  p999\n" +
            "  lat_us{disk=d0}    100  25.0  <=16  <=64  <=64\n");
        assertThat(text).doesNotContain("Other counters");
    }

    @Test
    void shouldShowAKindsSectionWithRatesAndValuesKeyedByItsRowLabels()
    {
        final StatSection disks = new StatSection("Disks", List.of("disk", "tenant"), List.of(
            StatColumn.rate("reads/s", "disk_reads_total"),
            StatColumn.value("in flight", "disk_in_flight"),
            StatColumn.rate("errors/s", "disk_errors_total")));
        final SampleBuilder before = new SampleBuilder()
            .counter(1, 11, 100, "disk_reads_total", "disk", "d10", "tenant", "t1")
            .counter(2, 12, 0, "disk_reads_total", "disk", "d2", "tenant", "t1");
        final SampleBuilder after = new SampleBuilder()
            .counter(1, 11, 400, "disk_reads_total", "disk", "d10", "tenant", "t1")
            .counter(2, 12, 50, "disk_reads_total", "disk", "d2", "tenant", "t1")
            .gauge(3, 13, 7, "disk_in_flight", "disk", "d2", "tenant", "t1")
            // A gauge cannot show as a rate: it stays among the other counters.
            .gauge(4, 14, 5, "disk_errors_total", "disk", "d2", "tenant", "t1")
            .counter(5, 15, 1, "disk_reads_total", "disk", "d3");

        final String text = StatTable.render("f", List.of(disks), before.take(0, 0), after.take(SECOND_NS, 1000));

        assertThat(text).contains(
            "Disks\n" +
            "  disk  tenant  reads/s  in flight  errors/s\n" +
            "  d2    t1         50.0          7         -\n" +
            "  d3    -             -          -         -\n" +
            "  d10   t1        300.0          -         -\n");
        assertThat(text).contains(
            "Other counters\n" +
            "  counter                                   value  rate/s\n" +
            "  disk_errors_total{disk=\"d2\",tenant=\"t1\"}      5\n");
    }

    @Test
    void shouldRefuseASectionWithoutRowLabelsOrColumns()
    {
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
            .isThrownBy(() -> new StatSection("Empty", List.of("disk"), List.of()))
            .withMessageContaining("Empty");
    }

    private static final class SampleBuilder
    {
        private final List<CounterValue> counters = new ArrayList<>();

        SampleBuilder counter(final int id, final long registrationId, final long value, final String name, final String... labels)
        {
            return add(id, registrationId, value, CounterKind.COUNTER, name, labels);
        }

        SampleBuilder gauge(final int id, final long registrationId, final long value, final String name, final String... labels)
        {
            return add(id, registrationId, value, CounterKind.GAUGE, name, labels);
        }

        private SampleBuilder add(
            final int id, final long registrationId, final long value, final CounterKind kind, final String name, final String... labels)
        {
            final CounterLabel label = CounterLabel.of(name, labels);
            counters.add(new CounterValue(id, registrationId, kind, label.format(), label, value));
            return this;
        }

        Sample take(final long nanoTime, final long uptimeMs)
        {
            return new Sample(4242, START_MS, START_MS + uptimeMs, nanoTime, counters);
        }
    }
}
