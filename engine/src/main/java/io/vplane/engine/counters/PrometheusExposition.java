package io.vplane.engine.counters;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import org.agrona.concurrent.status.CountersReader;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Every live counter of a counters file as Prometheus text format 0.0.4, written by the Prometheus
 * client library; {@link CounterFamilies} says which counters form which family. One-off calls
 * build the families each time; a server scraped repeatedly keeps them in a {@link MetricsScrape}.
 */
public final class PrometheusExposition
{
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private static final PrometheusTextFormatWriter WRITER = PrometheusTextFormatWriter.create();

    private PrometheusExposition()
    {
    }

    public static void write(final CountersReader reader, final OutputStream out) throws IOException
    {
        write(snapshots(reader), out);
    }

    static void write(final MetricSnapshots snapshots, final OutputStream out) throws IOException
    {
        WRITER.write(out, snapshots);
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
        return CounterFamilies.of(reader).snapshots(reader);
    }
}
