package io.vplane.engine.stat;

import io.vplane.engine.counters.CounterKind;
import io.vplane.engine.counters.CounterLabel;
import io.vplane.engine.counters.HistogramBuckets;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static io.vplane.engine.counters.EngineMetrics.DEVICE;
import static io.vplane.engine.counters.EngineMetrics.GROUP;
import static io.vplane.engine.counters.EngineMetrics.GROUP_REQUESTS_TOTAL;
import static io.vplane.engine.counters.EngineMetrics.POOL;
import static io.vplane.engine.counters.EngineMetrics.QUEUE;
import static io.vplane.engine.counters.EngineMetrics.QUEUE_BUSY_NS_TOTAL;
import static io.vplane.engine.counters.EngineMetrics.QUEUE_REQUESTS_TOTAL;
import static io.vplane.engine.counters.EngineMetrics.QUEUE_RING_OCCUPANCY;
import static io.vplane.engine.counters.EngineMetrics.WORKER;
import static io.vplane.engine.counters.EngineMetrics.WORKER_BUSY_NS_TOTAL;
import static io.vplane.engine.counters.EngineMetrics.WORKER_CPU;
import static io.vplane.engine.counters.EngineMetrics.WORKER_DUTY_CYCLES_TOTAL;

/**
 * The {@code vplane stat} screen, computed from two samples: rates are deltas over the time between
 * them. Counters are matched by label and registration id, so a counter freed and allocated again
 * between the samples shows as new (no rate yet) rather than as a bogus jump.
 */
public final class StatTable
{
    private static final String UNKNOWN = "-";

    private final Sample current;
    private final Map<CounterValue.Key, CounterValue> previous;
    private final long intervalNs;
    private final Set<CounterValue> shown = new HashSet<>();
    private final List<StatSection> kindSections;

    private StatTable(final List<StatSection> kindSections, final Sample previous, final Sample current)
    {
        this.kindSections = kindSections;
        this.current = current;
        this.previous = previous.byKey();
        this.intervalNs = current.nanoTime() - previous.nanoTime();
    }

    /**
     * @param countersFile where the samples were read from, for the header
     * @param previous     the older sample
     * @param current      the newer sample
     */
    public static String render(final String countersFile, final Sample previous, final Sample current)
    {
        return render(countersFile, List.of(), previous, current);
    }

    /**
     * @param kindSections the tables the device kinds add, shown after the queues
     */
    public static String render(
        final String countersFile, final List<StatSection> kindSections, final Sample previous, final Sample current)
    {
        return new StatTable(kindSections, previous, current).render(countersFile);
    }

    private String render(final String countersFile)
    {
        final StringBuilder sb = new StringBuilder(4096);
        sb.append("vplane stat  pid ").append(current.pid())
            .append("  up ").append(formatUptime(current.uptimeMs()))
            .append("  interval ").append(String.format(Locale.ROOT, "%.2f s", intervalNs / 1e9))
            .append("  counters ").append(countersFile).append('\n');

        section(sb, "Workers", workers());
        section(sb, "Queue groups", groups());
        section(sb, "Queues", queues());
        for (final StatSection kindSection : kindSections)
        {
            section(sb, kindSection.title(), kindTable(kindSection));
        }
        section(sb, "Latency (since start)", latency());
        section(sb, "Other counters", others());
        if (current.counters().isEmpty())
        {
            sb.append("\n(no counters yet)\n");
        }
        return sb.toString();
    }

    private TextTable workers()
    {
        final Map<List<String>, CounterValue[]> rows = new TreeMap<>(NaturalOrder.LISTS);
        for (final CounterValue counter : current.counters())
        {
            final int slot = slot(counter.metricName(), WORKER_BUSY_NS_TOTAL, WORKER_DUTY_CYCLES_TOTAL, WORKER_CPU);
            final CounterKind expected = 2 == slot ? CounterKind.GAUGE : CounterKind.COUNTER;
            if (slot >= 0 && expected == counter.kind())
            {
                final List<String> key = List.of(counter.labelValue(POOL), counter.labelValue(WORKER));
                rows.computeIfAbsent(key, (k) -> new CounterValue[3])[slot] = counter;
                shown.add(counter);
            }
        }

        final TextTable table = new TextTable().left("pool").left("worker").right("cpu").right("busy %").right("duty cycles/s");
        rows.forEach((key, counters) -> table.row(
            key.get(0), key.get(1), cpu(counters[2]), busyPercent(counters[0]), formatRate(rate(counters[1]))));
        return table;
    }

    private static String cpu(final CounterValue gauge)
    {
        return null == gauge ? "-" : gauge.value() < 0 ? "none" : Long.toString(gauge.value());
    }

    private TextTable groups()
    {
        final Map<List<String>, CounterValue> rows = new TreeMap<>(NaturalOrder.LISTS);
        for (final CounterValue counter : current.counters())
        {
            if (GROUP_REQUESTS_TOTAL.equals(counter.metricName()) && CounterKind.COUNTER == counter.kind())
            {
                final List<String> key = List.of(
                    counter.labelValue(POOL), counter.labelValue(GROUP), counter.labelValue(WORKER), counter.label());
                rows.put(key, counter);
                shown.add(counter);
            }
        }

        final TextTable table = new TextTable().left("pool").left("group").left("worker").right("requests/s");
        rows.forEach((key, counter) -> table.row(key.get(0), key.get(1), key.get(2), formatRate(rate(counter))));
        return table;
    }

    private TextTable queues()
    {
        final Map<List<String>, CounterValue[]> rows = new TreeMap<>(NaturalOrder.LISTS);
        for (final CounterValue counter : current.counters())
        {
            final int slot = slot(counter.metricName(), QUEUE_REQUESTS_TOTAL, QUEUE_RING_OCCUPANCY, QUEUE_BUSY_NS_TOTAL);
            final CounterKind expected = 1 == slot ? CounterKind.GAUGE : CounterKind.COUNTER;
            if (slot >= 0 && expected == counter.kind())
            {
                final List<String> key = List.of(counter.labelValue(POOL), counter.labelValue(DEVICE), counter.labelValue(QUEUE));
                rows.computeIfAbsent(key, (k) -> new CounterValue[3])[slot] = counter;
                shown.add(counter);
            }
        }

        final TextTable table = new TextTable().left("pool").left("device/queue").right("requests/s").right("ring occupancy")
            .right("load %");
        rows.forEach((key, counters) -> table.row(
            key.get(0),
            key.get(1) + "/" + key.get(2),
            null == counters[0] ? UNKNOWN : formatRate(rate(counters[0])),
            null == counters[1] ? UNKNOWN : Long.toString(counters[1].value()),
            null == counters[2] ? UNKNOWN : busyPercent(counters[2])));
        return table;
    }

    private TextTable kindTable(final StatSection section)
    {
        final int width = section.columns().size();
        final Map<List<String>, CounterValue[]> rows = new TreeMap<>(NaturalOrder.LISTS);
        for (final CounterValue counter : current.counters())
        {
            for (int column = 0; column < width; column++)
            {
                if (section.columns().get(column).shows(counter))
                {
                    final List<String> key = section.rowLabels().stream().map(counter::labelValue)
                        .map(value -> value.isEmpty() ? UNKNOWN : value).toList();
                    rows.computeIfAbsent(key, (k) -> new CounterValue[width])[column] = counter;
                    shown.add(counter);
                }
            }
        }

        final TextTable table = new TextTable();
        section.rowLabels().forEach(table::left);
        section.columns().forEach(column -> table.right(column.heading()));
        rows.forEach((key, counters) ->
        {
            final List<String> cells = new ArrayList<>(key);
            for (int i = 0; i < width; i++)
            {
                cells.add(cell(section.columns().get(i), counters[i]));
            }
            table.row(cells.toArray(String[]::new));
        });
        return table;
    }

    private String cell(final StatColumn column, final CounterValue counter)
    {
        if (null == counter)
        {
            return UNKNOWN;
        }
        return StatColumn.Show.RATE == column.show() ? formatRate(rate(counter)) : Long.toString(counter.value());
    }

    /**
     * Histograms kept as per-bucket counters ({@link HistogramBuckets}): one row per histogram and
     * label set, with quantiles read off the buckets (each is the bound of the bucket holding it).
     */
    private TextTable latency()
    {
        final Map<List<String>, TreeMap<Double, Long>> rows = new TreeMap<>(NaturalOrder.LISTS);
        final Map<List<String>, Long> sums = new HashMap<>();
        for (final CounterValue counter : current.counters())
        {
            final String name = counter.metricName();
            final String le = counter.labelValue("le");
            if (CounterKind.COUNTER != counter.kind() || !name.endsWith("_bucket") || null == le)
            {
                continue;
            }
            final double bound = HistogramBuckets.INF.equals(le) ? Double.POSITIVE_INFINITY : parseOrNaN(le);
            if (Double.isNaN(bound))
            {
                continue;
            }
            final String family = name.substring(0, name.length() - "_bucket".length());
            final List<String> key = List.of(family, labelsWithout(counter, "le"));
            rows.computeIfAbsent(key, (k) -> new TreeMap<>()).merge(bound, counter.value(), Long::sum);
            shown.add(counter);
        }
        for (final CounterValue counter : current.counters())
        {
            final String name = counter.metricName();
            if (CounterKind.COUNTER == counter.kind() && name.endsWith("_sum"))
            {
                final List<String> key = List.of(name.substring(0, name.length() - "_sum".length()), labelsWithout(counter, "le"));
                if (rows.containsKey(key))
                {
                    sums.put(key, counter.value());
                    shown.add(counter);
                }
            }
        }

        final TextTable table = new TextTable().left("histogram").right("count").right("mean").right("p50")
            .right("p99").right("p999");
        rows.forEach((key, buckets) ->
        {
            final double[] bounds = new double[buckets.size()];
            final long[] counts = new long[buckets.size()];
            long total = 0;
            int i = 0;
            for (final Map.Entry<Double, Long> bucket : buckets.entrySet())
            {
                bounds[i] = bucket.getKey();
                counts[i] = bucket.getValue();
                total += counts[i];
                i++;
            }
            final Long sum = sums.get(key);
            table.row(key.get(0) + key.get(1), Long.toString(total),
                null == sum || 0 == total ? UNKNOWN : String.format(Locale.ROOT, "%.1f", (double)sum / total),
                bound(HistogramBuckets.quantile(bounds, counts, 0.5)),
                bound(HistogramBuckets.quantile(bounds, counts, 0.99)),
                bound(HistogramBuckets.quantile(bounds, counts, 0.999)));
        });
        return table;
    }

    private static String bound(final double value)
    {
        return Double.isNaN(value) ? UNKNOWN : "<=" + (long)value;
    }

    private static double parseOrNaN(final String text)
    {
        try
        {
            return Double.parseDouble(text);
        }
        catch (final NumberFormatException ex)
        {
            return Double.NaN;
        }
    }

    private static String labelsWithout(final CounterValue counter, final String left)
    {
        final StringBuilder sb = new StringBuilder();
        for (final CounterLabel.Pair pair : counter.parsed().labels())
        {
            if (!pair.name().equals(left))
            {
                sb.append(sb.isEmpty() ? "{" : ",").append(pair.name()).append('=').append(pair.value());
            }
        }
        return sb.isEmpty() ? "" : sb.append('}').toString();
    }

    private TextTable others()
    {
        final List<CounterValue> rest = new ArrayList<>();
        for (final CounterValue counter : current.counters())
        {
            if (!shown.contains(counter))
            {
                rest.add(counter);
            }
        }
        rest.sort((a, b) -> NaturalOrder.INSTANCE.compare(a.label(), b.label()));

        final TextTable table = new TextTable().left("counter").right("value").right("rate/s");
        for (final CounterValue counter : rest)
        {
            final String rate = CounterKind.COUNTER == counter.kind() ? formatRate(rate(counter)) : "";
            table.row(counter.label(), Long.toString(counter.value()), rate);
        }
        return table;
    }

    private String busyPercent(final CounterValue busyNs)
    {
        final Long delta = delta(busyNs);
        if (null == delta)
        {
            return UNKNOWN;
        }
        return String.format(Locale.ROOT, "%.1f", 100.0 * delta / intervalNs);
    }

    /** Per second over the interval, or {@code null} when the counter was not in the previous sample. */
    private Double rate(final CounterValue counter)
    {
        final Long delta = delta(counter);
        return null == delta ? null : delta * 1e9 / intervalNs;
    }

    private Long delta(final CounterValue counter)
    {
        if (null == counter || intervalNs <= 0)
        {
            return null;
        }
        final CounterValue before = previous.get(counter.key());
        if (null == before || before.value() > counter.value())
        {
            return null;
        }
        return counter.value() - before.value();
    }

    /** Index of {@code metricName} among {@code columns}, or -1. */
    private static int slot(final String metricName, final String... columns)
    {
        for (int i = 0; i < columns.length; i++)
        {
            if (columns[i].equals(metricName))
            {
                return i;
            }
        }
        return -1;
    }

    private static void section(final StringBuilder sb, final String title, final TextTable table)
    {
        if (!table.isEmpty())
        {
            sb.append('\n').append(title).append('\n');
            table.render(sb, "  ");
        }
    }

    static String formatRate(final Double rate)
    {
        return null == rate ? UNKNOWN : String.format(Locale.ROOT, "%,.1f", rate);
    }

    static String formatUptime(final long uptimeMs)
    {
        final long seconds = uptimeMs / 1000;
        final long days = seconds / 86_400;
        final String clock = String.format(Locale.ROOT, "%02d:%02d:%02d", (seconds / 3600) % 24, (seconds / 60) % 60, seconds % 60);
        return days > 0 ? days + "d " + clock : clock;
    }
}
