package io.vplane.engine.counters;

import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.Exemplars;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.status.CountersReader;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which live counters of a counters file form which Prometheus family, worked out once from their
 * labels: a snapshot then only reads values. Parsing labels, building label sets and validating
 * names cost far more than the values themselves (~0.25 MB per scrape when redone each time), so
 * {@link MetricsScrape} keeps one of these until a counter comes or goes.
 * <p>
 * Counters sharing a metric name form one family; the kind comes from the counter's type id.
 * Counters whose label does not follow the {@link CounterLabel} convention, or whose type id is not
 * a {@link CounterKind}, are left out. Counters named {@code X_bucket} with an {@code le} label
 * (per-bucket counts, see {@link HistogramBuckets}) and {@code X_sum} with the same other labels
 * form a histogram family X.
 */
final class CounterFamilies
{
    private static final String GENERIC_HELP = "vplane counter.";
    private static final int NO_COUNTER = -1;

    private final List<Family> families;

    private CounterFamilies(final List<Family> families)
    {
        this.families = List.copyOf(families);
    }

    static CounterFamilies of(final CountersReader reader)
    {
        // Family name as the library wants it (counters without _total), sorted for a stable output.
        final Map<String, PlainBuilder> plain = new TreeMap<>();
        final Map<String, Map<Labels, TreeMap<Double, List<Integer>>>> histograms = new TreeMap<>();
        final Map<String, Map<Labels, Integer>> sums = new TreeMap<>();
        reader.forEach((final int counterId, final int typeId, final DirectBuffer keyBuffer, final String label) ->
        {
            final CounterKind kind = CounterKind.ofTypeId(typeId);
            final CounterLabel parsed = parseOrNull(label);
            if (null == kind || null == parsed)
            {
                return;
            }
            final String metricName = parsed.metricName();
            final String le = parsed.value("le");
            if (CounterKind.COUNTER == kind && null != le && metricName.endsWith("_bucket"))
            {
                final double bound = parseBound(le);
                if (!Double.isNaN(bound))
                {
                    histograms.computeIfAbsent(withoutSuffix(metricName, "_bucket"), (name) -> new TreeMap<>())
                        .computeIfAbsent(labels(parsed, "le"), (key) -> new TreeMap<>())
                        .computeIfAbsent(bound, (key) -> new ArrayList<>()).add(counterId);
                    return;
                }
            }
            if (CounterKind.COUNTER == kind && metricName.endsWith("_sum"))
            {
                sums.computeIfAbsent(withoutSuffix(metricName, "_sum"), (name) -> new TreeMap<>())
                    .put(labels(parsed, null), counterId);
            }
            final PlainBuilder family = plain.computeIfAbsent(familyName(kind, metricName), (name) -> new PlainBuilder(kind, metricName));
            if (family.kind != kind)
            {
                return; // a gauge and a counter under one name: keep whichever came first
            }
            // Two live counters with the same labels would be an allocation bug; keep the first.
            family.counterIds.putIfAbsent(labels(parsed, null), counterId);
        });

        // A _sum that belongs to a histogram is part of it, not a counter of its own.
        histograms.keySet().forEach((name) -> plain.remove(name + "_sum"));
        final List<Family> families = new ArrayList<>(plain.size() + histograms.size());
        histograms.forEach((name, series) ->
        {
            if (!plain.containsKey(name)) // else a plain counter or gauge already uses the name
            {
                addUnlessRefused(families, () -> Histogram.of(name, series, sums.getOrDefault(name, Map.of())));
            }
        });
        plain.forEach((name, family) -> addUnlessRefused(families, () -> family.build(name)));
        return new CounterFamilies(families);
    }

    /** The families with the counters' values now; a family whose values the library refuses is left out. */
    MetricSnapshots snapshots(final CountersReader reader)
    {
        final List<MetricSnapshot> snapshots = new ArrayList<>(families.size());
        for (final Family family : families)
        {
            try
            {
                snapshots.add(family.snapshot(reader));
            }
            catch (final IllegalArgumentException ex)
            {
                // e.g. a negative counter or buckets without +Inf, written by someone not using Counters: serve the rest
            }
        }
        return new MetricSnapshots(snapshots);
    }

    private interface FamilyFactory
    {
        Family build();
    }

    private static void addUnlessRefused(final List<Family> families, final FamilyFactory factory)
    {
        try
        {
            families.add(factory.build());
        }
        catch (final IllegalArgumentException ex)
        {
            // A name the library refuses (written by someone not using Counters): leave it out, serve the rest.
        }
    }

    private static String familyName(final CounterKind kind, final String metricName)
    {
        return CounterKind.COUNTER == kind && metricName.endsWith("_total") ? withoutSuffix(metricName, "_total") : metricName;
    }

    private static String withoutSuffix(final String name, final String suffix)
    {
        return name.substring(0, name.length() - suffix.length());
    }

    private static MetricMetadata metadata(final String familyName, final String metricName)
    {
        final String known = EngineMetrics.help(metricName);
        return new MetricMetadata(familyName, null != known ? known : GENERIC_HELP);
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

    /** The label set of a counter, without the label {@code left} (null: all of them). */
    private static Labels labels(final CounterLabel label, final String left)
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

    private static int[] ids(final List<Integer> ids)
    {
        return ids.stream().mapToInt(Integer::intValue).toArray();
    }

    private interface Family
    {
        MetricSnapshot snapshot(CountersReader reader);
    }

    private static final class PlainBuilder
    {
        private final CounterKind kind;
        private final String metricName;
        private final Map<Labels, Integer> counterIds = new TreeMap<>();

        private PlainBuilder(final CounterKind kind, final String metricName)
        {
            this.kind = kind;
            this.metricName = metricName;
        }

        private Family build(final String familyName)
        {
            return new Plain(kind, metadata(familyName, metricName), counterIds.keySet().toArray(Labels[]::new),
                ids(List.copyOf(counterIds.values())));
        }
    }

    /** A counter or gauge family: one counter per label set. */
    private static final class Plain implements Family
    {
        private final CounterKind kind;
        private final MetricMetadata metadata;
        private final Labels[] labels;
        private final int[] counterIds;

        private Plain(final CounterKind kind, final MetricMetadata metadata, final Labels[] labels, final int[] counterIds)
        {
            this.kind = kind;
            this.metadata = metadata;
            this.labels = labels;
            this.counterIds = counterIds;
        }

        @Override
        public MetricSnapshot snapshot(final CountersReader reader)
        {
            if (CounterKind.COUNTER == kind)
            {
                final List<CounterSnapshot.CounterDataPointSnapshot> points = new ArrayList<>(labels.length);
                for (int i = 0; i < labels.length; i++)
                {
                    points.add(new CounterSnapshot.CounterDataPointSnapshot(reader.getCounterValue(counterIds[i]), labels[i], null, 0L));
                }
                return new CounterSnapshot(metadata, points);
            }
            final List<GaugeSnapshot.GaugeDataPointSnapshot> points = new ArrayList<>(labels.length);
            for (int i = 0; i < labels.length; i++)
            {
                points.add(new GaugeSnapshot.GaugeDataPointSnapshot(reader.getCounterValue(counterIds[i]), labels[i], null));
            }
            return new GaugeSnapshot(metadata, points);
        }
    }

    /** A histogram family: per label set, bucket counters by upper bound (summed when several share one) and a sum. */
    private static final class Histogram implements Family
    {
        private final MetricMetadata metadata;
        private final Labels[] labels;
        private final double[][] bounds;
        private final int[][][] bucketCounterIds;
        private final int[] sumCounterIds;

        private Histogram(
            final MetricMetadata metadata, final Labels[] labels, final double[][] bounds, final int[][][] bucketCounterIds,
            final int[] sumCounterIds)
        {
            this.metadata = metadata;
            this.labels = labels;
            this.bounds = bounds;
            this.bucketCounterIds = bucketCounterIds;
            this.sumCounterIds = sumCounterIds;
        }

        private static Histogram of(
            final String name, final Map<Labels, TreeMap<Double, List<Integer>>> series, final Map<Labels, Integer> sums)
        {
            final int size = series.size();
            final Labels[] labels = new Labels[size];
            final double[][] bounds = new double[size][];
            final int[][][] bucketCounterIds = new int[size][][];
            final int[] sumCounterIds = new int[size];
            int i = 0;
            for (final Map.Entry<Labels, TreeMap<Double, List<Integer>>> entry : series.entrySet())
            {
                labels[i] = entry.getKey();
                bounds[i] = entry.getValue().keySet().stream().mapToDouble(Double::doubleValue).toArray();
                bucketCounterIds[i] = entry.getValue().values().stream().map(CounterFamilies::ids).toArray(int[][]::new);
                sumCounterIds[i] = sums.getOrDefault(entry.getKey(), NO_COUNTER);
                i++;
            }
            return new Histogram(metadata(name, name), labels, bounds, bucketCounterIds, sumCounterIds);
        }

        @Override
        public MetricSnapshot snapshot(final CountersReader reader)
        {
            final List<HistogramSnapshot.HistogramDataPointSnapshot> points = new ArrayList<>(labels.length);
            for (int i = 0; i < labels.length; i++)
            {
                final long[] counts = new long[bounds[i].length];
                for (int b = 0; b < counts.length; b++)
                {
                    for (final int counterId : bucketCounterIds[i][b])
                    {
                        counts[b] += reader.getCounterValue(counterId);
                    }
                }
                final double sum = NO_COUNTER == sumCounterIds[i] ? 0.0 : reader.getCounterValue(sumCounterIds[i]);
                points.add(new HistogramSnapshot.HistogramDataPointSnapshot(
                    ClassicHistogramBuckets.of(bounds[i], counts), sum, labels[i], Exemplars.EMPTY, 0L));
            }
            return new HistogramSnapshot(metadata, points);
        }
    }
}
