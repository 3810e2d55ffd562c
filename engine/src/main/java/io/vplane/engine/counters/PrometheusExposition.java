package io.vplane.engine.counters;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.Exemplars;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.status.CountersReader;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Every live counter of a counters file as Prometheus text format 0.0.4. Counters sharing a metric
 * name form one family; the kind comes from the counter's type id. Counters whose label does not
 * follow the {@link CounterLabel} convention, or whose type id is not a {@link CounterKind}, are left out.
 * Counters named {@code X_bucket} with an {@code le} label (per-bucket counts, see
 * {@link HistogramBuckets}) and {@code X_sum} with the same other labels form a histogram family X.
 */
public final class PrometheusExposition
{
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private static final String GENERIC_HELP = "vplane counter.";
    private static final PrometheusTextFormatWriter WRITER = PrometheusTextFormatWriter.create();

    private PrometheusExposition()
    {
    }

    public static void write(final CountersReader reader, final OutputStream out) throws IOException
    {
        WRITER.write(out, snapshots(reader));
    }

    public static String text(final CountersReader reader)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream(4096);
        try
        {
            write(reader, out);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    public static MetricSnapshots snapshots(final CountersReader reader)
    {
        // Family name as the library wants it (counters without _total), sorted for a stable output.
        final Map<String, Family> families = new TreeMap<>();
        final Map<String, Histogram> histograms = new TreeMap<>();
        final Map<String, Map<Labels, Double>> sums = new TreeMap<>();
        reader.forEach((final int counterId, final int typeId, final DirectBuffer keyBuffer, final String label) ->
        {
            final CounterKind kind = CounterKind.ofTypeId(typeId);
            final CounterLabel parsed = parseOrNull(label);
            if (null == kind || null == parsed)
            {
                return;
            }
            final String le = parsed.value("le");
            if (CounterKind.COUNTER == kind && null != le && parsed.metricName().endsWith("_bucket"))
            {
                final String name = parsed.metricName().substring(0, parsed.metricName().length() - "_bucket".length());
                final double bound = parseBound(le);
                if (!Double.isNaN(bound))
                {
                    histograms.computeIfAbsent(name, Histogram::new)
                        .add(labelsWithout(parsed, "le"), bound, reader.getCounterValue(counterId));
                    return;
                }
            }
            if (CounterKind.COUNTER == kind && parsed.metricName().endsWith("_sum"))
            {
                sums.computeIfAbsent(parsed.metricName().substring(0, parsed.metricName().length() - "_sum".length()),
                    (name) -> new TreeMap<>()).put(labels(parsed), (double)reader.getCounterValue(counterId));
            }
            final String familyName = familyName(kind, parsed.metricName());
            final Family family = families.computeIfAbsent(familyName, (name) -> new Family(kind, parsed.metricName()));
            if (family.kind != kind)
            {
                return; // a gauge and a counter under one name: keep whichever came first
            }
            // Two live counters with the same labels would be an allocation bug; keep the first.
            family.points.putIfAbsent(labels(parsed), (double)reader.getCounterValue(counterId));
        });

        // A _sum that belongs to a histogram is part of it, not a counter of its own.
        histograms.keySet().forEach((name) -> families.remove(name + "_sum"));
        final List<MetricSnapshot> snapshots = new ArrayList<>(families.size() + histograms.size());
        histograms.forEach((name, histogram) ->
        {
            if (families.containsKey(name))
            {
                return; // a plain counter or gauge already uses the name
            }
            try
            {
                snapshots.add(histogram.snapshot(sums.getOrDefault(name, Map.of())));
            }
            catch (final IllegalArgumentException ex)
            {
                // Buckets that do not form a valid histogram (no +Inf, a name the library refuses): left out.
            }
        });
        families.forEach((name, family) ->
        {
            try
            {
                snapshots.add(family.snapshot(name));
            }
            catch (final IllegalArgumentException ex)
            {
                // A name the library refuses (written by someone not using Counters): leave it out, serve the rest.
            }
        });
        return new MetricSnapshots(snapshots);
    }

    private static String familyName(final CounterKind kind, final String metricName)
    {
        if (CounterKind.COUNTER == kind && metricName.endsWith("_total"))
        {
            return metricName.substring(0, metricName.length() - "_total".length());
        }
        return metricName;
    }

    private static CounterLabel parseOrNull(final String label)
    {
        try
        {
            return CounterLabel.parse(label);
        }
        catch (final IllegalArgumentException ex)
        {
            return null;
        }
    }

    private static double parseBound(final String le)
    {
        if (HistogramBuckets.INF.equals(le))
        {
            return Double.POSITIVE_INFINITY;
        }
        try
        {
            return Double.parseDouble(le);
        }
        catch (final NumberFormatException ex)
        {
            return Double.NaN;
        }
    }

    private static Labels labelsWithout(final CounterLabel label, final String left)
    {
        final List<String> names = new ArrayList<>(label.labels().size());
        final List<String> values = new ArrayList<>(label.labels().size());
        for (final CounterLabel.Pair pair : label.labels())
        {
            if (!pair.name().equals(left))
            {
                names.add(pair.name());
                values.add(pair.value());
            }
        }
        return Labels.of(names, values);
    }

    private static Labels labels(final CounterLabel label)
    {
        final List<String> names = new ArrayList<>(label.labels().size());
        final List<String> values = new ArrayList<>(label.labels().size());
        for (final CounterLabel.Pair pair : label.labels())
        {
            names.add(pair.name());
            values.add(pair.value());
        }
        return Labels.of(names, values);
    }

    /** The buckets of one histogram family, per label set (without le). */
    private static final class Histogram
    {
        private final String name;
        private final Map<Labels, TreeMap<Double, Long>> points = new TreeMap<>();

        private Histogram(final String name)
        {
            this.name = name;
        }

        private void add(final Labels labels, final double bound, final long count)
        {
            points.computeIfAbsent(labels, (key) -> new TreeMap<>()).merge(bound, count, Long::sum);
        }

        private MetricSnapshot snapshot(final Map<Labels, Double> sums)
        {
            final String known = EngineMetrics.help(name);
            final HistogramSnapshot.Builder builder = HistogramSnapshot.builder().name(name)
                .help(null != known ? known : GENERIC_HELP);
            points.forEach((labels, buckets) ->
            {
                final double[] bounds = new double[buckets.size()];
                final long[] counts = new long[buckets.size()];
                int i = 0;
                for (final Map.Entry<Double, Long> bucket : buckets.entrySet())
                {
                    bounds[i] = bucket.getKey();
                    counts[i] = bucket.getValue();
                    i++;
                }
                builder.dataPoint(new HistogramSnapshot.HistogramDataPointSnapshot(ClassicHistogramBuckets.of(bounds, counts),
                    sums.getOrDefault(labels, 0.0), labels, Exemplars.EMPTY, 0L));
            });
            return builder.build();
        }
    }

    private static final class Family
    {
        private final CounterKind kind;
        private final String help;
        private final Map<Labels, Double> points = new TreeMap<>();

        private Family(final CounterKind kind, final String metricName)
        {
            this.kind = kind;
            final String known = EngineMetrics.help(metricName);
            this.help = null != known ? known : GENERIC_HELP;
        }

        private MetricSnapshot snapshot(final String name)
        {
            if (CounterKind.COUNTER == kind)
            {
                final CounterSnapshot.Builder builder = CounterSnapshot.builder().name(name).help(help);
                points.forEach((labels, value) -> builder.dataPoint(
                    CounterSnapshot.CounterDataPointSnapshot.builder().labels(labels).value(value).build()));
                return builder.build();
            }
            final GaugeSnapshot.Builder builder = GaugeSnapshot.builder().name(name).help(help);
            points.forEach((labels, value) -> builder.dataPoint(
                GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(labels).value(value).build()));
            return builder.build();
        }
    }
}
