package io.vplane.engine.counters;

import org.agrona.concurrent.status.CountersReader;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The {@code /metrics} text of one counters file, for a server scraped every few seconds for months:
 * the families ({@link CounterFamilies}) are worked out again only when a counter comes or goes, and
 * the text is written into a buffer kept from one scrape to the next, so a scrape allocates little
 * more than the library's snapshots of the values and the reply's bytes.
 */
public final class MetricsScrape
{
    private final CountersReader reader;
    private final CounterSetWatch watch;
    private final ByteArrayOutputStream text = new ByteArrayOutputStream(16 * 1024);
    private CounterFamilies families;

    public MetricsScrape(final CountersReader reader)
    {
        this.reader = reader;
        this.watch = new CounterSetWatch(reader);
    }

    /** @return every live counter as Prometheus text format 0.0.4, UTF-8 */
    public synchronized byte[] text()
    {
        if (watch.changed() || null == families)
        {
            families = CounterFamilies.of(reader);
        }
        text.reset();
        try
        {
            PrometheusExposition.write(families.snapshots(reader), text);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        return text.toByteArray();
    }
}
