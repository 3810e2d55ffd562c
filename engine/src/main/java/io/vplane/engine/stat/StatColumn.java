package io.vplane.engine.stat;

import io.vplane.engine.counters.CounterKind;

import java.util.Objects;

/**
 * One column of a {@link StatSection}: a metric and how {@code vplane stat} shows it.
 *
 * @param heading    the column's heading
 * @param metricName the counter's metric name (its label up to the first brace)
 * @param show       per second over the interval, or the value as sampled
 */
public record StatColumn(String heading, String metricName, Show show)
{
    /** How a column shows its counter. */
    public enum Show
    {
        /** The counter's increase per second; only counters (not gauges) show this way. */
        RATE,
        /** The value as sampled; counters and gauges alike. */
        VALUE
    }

    public StatColumn
    {
        Objects.requireNonNull(heading, "heading");
        Objects.requireNonNull(metricName, "metricName");
        Objects.requireNonNull(show, "show");
    }

    public static StatColumn rate(final String heading, final String metricName)
    {
        return new StatColumn(heading, metricName, Show.RATE);
    }

    public static StatColumn value(final String heading, final String metricName)
    {
        return new StatColumn(heading, metricName, Show.VALUE);
    }

    boolean shows(final CounterValue counter)
    {
        return metricName.equals(counter.metricName())
            && (Show.VALUE == show ? null != counter.kind() : CounterKind.COUNTER == counter.kind());
    }
}
