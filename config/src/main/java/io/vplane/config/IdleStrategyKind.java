package io.vplane.config;

/** How a worker waits when a duty cycle found nothing to do. Spelled in YAML in lower case with a dash. */
public enum IdleStrategyKind
{
    BUSY_SPIN("busy-spin"),
    YIELD("yield"),
    BACKOFF("backoff"),
    PARK("park");

    private final String configName;

    IdleStrategyKind(final String configName)
    {
        this.configName = configName;
    }

    public String configName()
    {
        return configName;
    }
}
