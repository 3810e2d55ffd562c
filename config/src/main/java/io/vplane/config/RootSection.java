package io.vplane.config;

/**
 * A section at the top of the file ({@link Place#ROOT}) under a fixed key, bound to one record type.
 *
 * @param <T> the validated record the section binds to
 */
public abstract class RootSection<T> implements ConfigSection<T>
{
    private final String key;
    private final Class<T> type;

    protected RootSection(final String key, final Class<T> type)
    {
        this.key = key;
        this.type = type;
    }

    @Override
    public final String key()
    {
        return key;
    }

    @Override
    public final Place place()
    {
        return Place.ROOT;
    }

    @Override
    public final Class<T> type()
    {
        return type;
    }
}
