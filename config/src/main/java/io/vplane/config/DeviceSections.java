package io.vplane.config;

import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * The bound sections of the device kinds, keyed by their path in the file (a top-level key,
 * or {@code devices.KIND} for a device list). A map so that it reads, compares and prints like the rest of the model;
 * {@link #get(Class)} gives a kind its own section typed.
 */
public final class DeviceSections extends AbstractMap<String, Object>
{
    private final List<ConfigSection<?>> schema;
    private final Map<String, Object> values;

    private DeviceSections(final List<ConfigSection<?>> schema, final Map<String, Object> values)
    {
        this.schema = inBindingOrder(schema);
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    /** Every section of {@code schema} at its defaults. */
    public static DeviceSections defaults(final List<ConfigSection<?>> schema)
    {
        final Map<String, Object> values = new LinkedHashMap<>();
        for (final ConfigSection<?> section : inBindingOrder(schema))
        {
            values.put(section.path(), section.defaults());
        }
        return new DeviceSections(schema, values);
    }

    /** Device lists first, so that the other sections see every device name; otherwise as given. */
    static List<ConfigSection<?>> inBindingOrder(final List<ConfigSection<?>> schema)
    {
        final List<ConfigSection<?>> ordered = new ArrayList<>(schema);
        ordered.sort(Comparator.comparing(section -> ConfigSection.Place.ROOT == section.place()));
        return List.copyOf(ordered);
    }

    static DeviceSections of(final List<ConfigSection<?>> schema, final Map<String, Object> values)
    {
        return new DeviceSections(schema, values);
    }

    /**
     * @throws NoSuchElementException when no installed device kind has a section of that type
     */
    public <T> T get(final Class<T> type)
    {
        for (final ConfigSection<?> section : schema)
        {
            if (section.type() == type)
            {
                return type.cast(values.get(section.path()));
            }
        }
        throw new NoSuchElementException("no config section of type " + type.getSimpleName() + "; sections: " + values.keySet());
    }

    /** What runs after a reload from {@code next}: each section's own live rule. */
    public DeviceSections live(final DeviceSections next)
    {
        final Map<String, Object> merged = new LinkedHashMap<>();
        for (final ConfigSection<?> section : schema)
        {
            merged.put(section.path(), live(section, values.get(section.path()), next.values.get(section.path())));
        }
        return new DeviceSections(schema, merged);
    }

    void diff(final DeviceSections next, final ConfigDiff diff)
    {
        final List<String> seen = new ArrayList<>();
        for (final ConfigSection<?> section : schema)
        {
            seen.add(section.path());
            compare(section, values.get(section.path()), next.values.get(section.path()), diff);
        }
        for (final ConfigSection<?> section : next.schema)
        {
            if (!seen.contains(section.path()))
            {
                diff.compare(section.path(), ConfigDiff.ABSENT, "present", false);
            }
        }
    }

    @Override
    public Set<Entry<String, Object>> entrySet()
    {
        return values.entrySet();
    }

    private static <T> Object live(final ConfigSection<T> section, final Object running, final Object next)
    {
        if (null == running || null == next)
        {
            return running;
        }
        return section.live(section.type().cast(running), section.type().cast(next));
    }

    private static <T> void compare(final ConfigSection<T> section, final Object running, final Object next, final ConfigDiff diff)
    {
        if (null == next)
        {
            diff.compare(section.path(), "present", ConfigDiff.ABSENT, false);
            return;
        }
        section.diff(section.type().cast(running), section.type().cast(next), diff);
    }
}
