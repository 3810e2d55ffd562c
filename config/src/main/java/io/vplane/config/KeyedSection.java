package io.vplane.config;

/**
 * A section under a fixed key and place, bound to one record type: what every section of a device
 * kind declares the same way ({@link DeviceListSection} for device lists).
 *
 * @param <T> the validated record the section binds to
 */
public abstract class KeyedSection<T> implements ConfigSection<T>
{
    private final String key;
    private final Place place;
    private final Class<T> type;

    protected KeyedSection(final String key, final Place place, final Class<T> type)
    {
        this.key = key;
        this.place = place;
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
        return place;
    }

    @Override
    public final Class<T> type()
    {
        return type;
    }
}
