package io.vplane.engine.counters;

import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersReader;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Allocates named counters and gauges in a counters file. Any module may add its own metrics; the
 * name and labels are all a reader needs. Allocation may be called from any thread; a counter is
 * freed by {@link AtomicCounter#close()} and its value is updated lock-free.
 */
public final class Counters
{
    private static final List<String> RESERVED_GAUGE_SUFFIXES = List.of("_total", "_created", "_bucket", "_info");

    private final ConcurrentCountersManager manager;
    // Prometheus family name (a counter's name without _total) -> its kind: a counter X_total and a
    // gauge X would be one family of two kinds, and /metrics could show only one of them.
    private final Map<String, CounterKind> families = new ConcurrentHashMap<>();

    Counters(final ConcurrentCountersManager manager)
    {
        this.manager = manager;
    }

    /**
     * Counters in heap memory rather than in a file, for tests of code that allocates counters.
     */
    public static Counters inMemory(final int maxCounters)
    {
        final UnsafeBuffer metadata = new UnsafeBuffer(
            BufferUtil.allocateDirectAligned(maxCounters * CountersReader.METADATA_LENGTH, BitUtil.CACHE_LINE_LENGTH));
        final UnsafeBuffer values = new UnsafeBuffer(
            BufferUtil.allocateDirectAligned(maxCounters * CountersReader.COUNTER_LENGTH, BitUtil.CACHE_LINE_LENGTH));
        return new Counters(new ConcurrentCountersManager(metadata, values, SystemEpochClock.INSTANCE, 0));
    }

    /**
     * A monotonic counter.
     *
     * @param metricName ends in {@code _total}, e.g. {@link EngineMetrics#GROUP_REQUESTS_TOTAL}
     * @param labelPairs label names and values, alternating: {@code "pool", "net", "worker", "net-0"}
     */
    public AtomicCounter counter(final String metricName, final String... labelPairs)
    {
        if (!metricName.endsWith("_total") || "_total".length() == metricName.length())
        {
            throw new IllegalArgumentException("counter name must end in _total: " + metricName);
        }
        final CounterLabel label = CounterLabel.of(metricName, labelPairs);
        claimFamily(metricName.substring(0, metricName.length() - "_total".length()), CounterKind.COUNTER);
        return allocate(CounterKind.COUNTER, label);
    }

    /**
     * One part of a histogram kept as counters (see {@link HistogramBuckets}): a bucket, named
     * {@code X_bucket} with an {@code le} label, or the sum, named {@code X_sum}.
     */
    public AtomicCounter histogramPart(final String metricName, final String... labelPairs)
    {
        if (!metricName.endsWith("_bucket") && !metricName.endsWith("_sum"))
        {
            throw new IllegalArgumentException("histogram counter name must end in _bucket or _sum: " + metricName);
        }
        return allocate(CounterKind.COUNTER, CounterLabel.of(metricName, labelPairs));
    }

    /**
     * A value that goes up and down.
     *
     * @param metricName must not end in a suffix Prometheus reserves ({@code _total}, {@code _created}, ...)
     * @param labelPairs label names and values, alternating
     */
    public AtomicCounter gauge(final String metricName, final String... labelPairs)
    {
        for (final String suffix : RESERVED_GAUGE_SUFFIXES)
        {
            if (metricName.endsWith(suffix))
            {
                throw new IllegalArgumentException("gauge name must not end in " + suffix + ": " + metricName);
            }
        }
        final CounterLabel label = CounterLabel.of(metricName, labelPairs);
        claimFamily(metricName, CounterKind.GAUGE);
        return allocate(CounterKind.GAUGE, label);
    }

    private void claimFamily(final String family, final CounterKind kind)
    {
        final CounterKind owner = families.putIfAbsent(family, kind);
        if (null != owner && owner != kind)
        {
            throw new IllegalArgumentException("metric family " + family + " is already a " +
                owner.name().toLowerCase(Locale.ROOT) + "; a " + kind.name().toLowerCase(Locale.ROOT) +
                " needs another name");
        }
    }

    public AtomicCounter allocate(final CounterKind kind, final CounterLabel label)
    {
        final String text = label.format();
        if (text.length() > CountersReader.MAX_LABEL_LENGTH)
        {
            throw new IllegalArgumentException("counter label longer than " + CountersReader.MAX_LABEL_LENGTH +
                " characters: " + text);
        }
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            if (c < 0x20 || c > 0x7E)
            {
                throw new IllegalArgumentException("counter label must be printable ASCII: " + text);
            }
        }
        try
        {
            return manager.newCounter(text, kind.typeId());
        }
        catch (final IllegalStateException ex)
        {
            throw new IllegalStateException("counters file is full (" + manager.capacity() + " counters): " +
                "raise counters.maxCounters; cannot add " + text, ex);
        }
    }

    /** Counters that can be allocated now (freed ones become available again after a short delay). */
    public int available()
    {
        return manager.available();
    }

    public CountersReader reader()
    {
        return manager;
    }

    /**
     * The counter whose label is exactly {@code label}, name and labels as {@code /metrics} shows
     * them (e.g. {@code vplane_queue_requests_total{device="lo0",pool="net",queue="0"}}); 0 when there is none
     * (nothing counted yet). A scan of every counter: for tests and tools, not for a hot path.
     */
    public long value(final String label)
    {
        final long[] found = {0};
        manager.forEach((id, typeId, key, text) ->
        {
            if (text.equals(label))
            {
                found[0] = manager.getCounterValue(id);
            }
        });
        return found[0];
    }
}
