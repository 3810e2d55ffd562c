package io.vplane.config;

import java.util.Locale;

/** How a worker waits when a duty cycle found nothing to do. Spelled in YAML in lower case with a dash. */
public enum IdleStrategyKind
{
    BUSY_SPIN,
    YIELD,
    BACKOFF,
    PARK;

    /** As written in the file: {@code busy-spin}, {@code yield}, {@code backoff}, {@code park}. */
    public String configName()
    {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
