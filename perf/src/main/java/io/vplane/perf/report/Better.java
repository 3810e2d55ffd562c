package io.vplane.perf.report;

import java.util.Locale;

/** Which way a figure is better: throughput is better higher, latency lower. */
public enum Better
{
    HIGHER,
    LOWER;

    public static Better parse(final String text)
    {
        return switch (text.trim().toLowerCase(Locale.ROOT))
        {
            case "higher" -> HIGHER;
            case "lower" -> LOWER;
            default -> throw new IllegalArgumentException("BETTER must be 'higher' or 'lower', not '" + text + "'");
        };
    }

    public String word()
    {
        return name().toLowerCase(Locale.ROOT);
    }
}
