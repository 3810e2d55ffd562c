package io.vplane.engine.stat;

import io.vplane.engine.counters.CounterKind;
import io.vplane.engine.counters.CounterLabel;

/**
 * One counter as read in a sample.
 *
 * @param counterId      slot in the counters file (reused after a counter is freed)
 * @param registrationId unique per allocation, so a reused slot is not mistaken for the old counter
 * @param kind           counter or gauge; {@code null} for a type id vplane does not know
 * @param label          the raw label text
 * @param parsed         the parsed label, or {@code null} when it does not follow the {@link CounterLabel} convention
 * @param value          the value when sampled
 */
public record CounterValue(int counterId, long registrationId, CounterKind kind, String label, CounterLabel parsed, long value)
{
    /** What identifies one counter across samples. */
    public record Key(String label, long registrationId)
    {
    }

    public Key key()
    {
        return new Key(label, registrationId);
    }

    public String metricName()
    {
        return null == parsed ? label : parsed.metricName();
    }

    /** @return the value of label {@code name}, or the empty string when the counter has no such label */
    public String labelValue(final String name)
    {
        final String value = null == parsed ? null : parsed.value(name);
        return null == value ? "" : value;
    }
}
