package io.vplane.config;

/**
 * The part of the config file one device kind owns: a top-level section or a
 * device list under {@code devices} (such as {@code devices.loopback}). The kind declares how the
 * section is read and checked, its defaults, and which of its settings a reload applies live; the
 * config module knows no section by name.
 *
 * @param <T> the validated record the section binds to
 */
public interface ConfigSection<T>
{
    /** Where in the file a section lives. */
    enum Place
    {
        /** A mapping at the top of the file, under {@link #key()}. */
        ROOT,
        /** A list of devices under {@code devices}, e.g. {@code devices: {loopback: [...]}}. */
        DEVICES
    }

    /** The key in the file: a top-level key, or the device list's key under {@code devices}. */
    String key();

    Place place();

    /** The type of the bound section; {@link VplaneConfig#section(Class)} looks sections up by it. */
    Class<T> type();

    /** The section when the file does not give it; also what {@link ConfigDefaults#config} holds. */
    T defaults();

    /**
     * Reads and checks the section, reporting every problem through {@code parent}'s readers.
     *
     * @param parent  the root (for {@link Place#ROOT}) or the {@code devices} section; the section reads its own key
     * @param context what the sections bound before it declared (pools, device names)
     */
    T bind(SectionReader parent, BindContext context);

    /** Adds to {@code diff} every setting that differs, each marked live or needing a restart. */
    void diff(T running, T next, ConfigDiff diff);

    /**
     * What runs after a reload: the new values of the settings that apply live, the running values
     * of those that need a restart; must agree with {@link #diff}. By default everything is live.
     */
    default T live(final T running, final T next)
    {
        return next;
    }

    /** Dotted path of the section in the file: {@code KEY} or {@code devices.KEY}. */
    default String path()
    {
        return Place.DEVICES == place() ? "devices." + key() : key();
    }
}
