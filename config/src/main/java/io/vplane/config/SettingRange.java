package io.vplane.config;

/**
 * The values a numeric setting may take, declared once next to the record that holds it: the
 * binder reports a value outside as a config error, the record's constructor refuses it.
 *
 * @param min smallest allowed value
 * @param max largest allowed value
 */
public record SettingRange(long min, long max)
{
    public SettingRange
    {
        if (min > max)
        {
            throw new IllegalArgumentException("empty range " + min + ".." + max);
        }
    }

    public boolean contains(final long value)
    {
        return value >= min && value <= max;
    }

    /**
     * @param setting names the setting in the message
     * @return the value, when inside
     * @throws IllegalArgumentException when outside
     */
    public long check(final String setting, final long value)
    {
        if (!contains(value))
        {
            throw new IllegalArgumentException(setting + " must be " + this + ": " + value);
        }
        return value;
    }

    /** {@code min..max}, as the config errors spell a range. */
    @Override
    public String toString()
    {
        return min + ".." + max;
    }
}
