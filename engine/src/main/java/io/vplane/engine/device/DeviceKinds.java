package io.vplane.engine.device;

import io.vplane.config.ConfigDefaults;
import io.vplane.config.ConfigLoader;
import io.vplane.config.ConfigSection;
import io.vplane.config.VplaneConfig;
import io.vplane.engine.management.ManagementExtension;
import io.vplane.engine.stat.StatSection;

import java.nio.file.Path;
import java.util.List;
import java.util.ServiceLoader;

/**
 * The device kinds one daemon runs with, and the config files read with their sections. A daemon
 * loads its kinds once and hands the same instances to its engine, its management API and its
 * config reloads, so that whatever a kind owns (the running switches of the net kind, say) is
 * shared by them and by no other daemon in the process.
 */
public final class DeviceKinds
{
    private final List<DeviceKind> kinds;

    private DeviceKinds(final List<? extends DeviceKind> kinds)
    {
        this.kinds = List.copyOf(kinds);
    }

    /** New instances of the kinds listed in {@code META-INF/services} on the class path. */
    public static DeviceKinds load()
    {
        return new DeviceKinds(ServiceLoader.load(DeviceKind.class).stream().map(ServiceLoader.Provider::get).toList());
    }

    /** The kinds' names, for the log line at start. */
    public List<String> names()
    {
        return kinds.stream().map(DeviceKind::name).toList();
    }

    /** @return the kind of that class */
    public <K extends DeviceKind> K kind(final Class<K> type)
    {
        return kinds.stream().filter(type::isInstance).map(type::cast).findFirst()
            .orElseThrow(() -> new IllegalArgumentException("no device kind " + type.getSimpleName() + " installed"));
    }

    public List<ConfigSection<?>> configSections()
    {
        return kinds.stream().flatMap(kind -> kind.configSections().stream()).toList();
    }

    public List<DeviceProvider> deviceProviders()
    {
        return kinds.stream().flatMap(kind -> kind.deviceProviders().stream()).toList();
    }

    public List<ManagementExtension> managementExtensions()
    {
        return kinds.stream().flatMap(kind -> kind.managementExtensions().stream()).toList();
    }

    public List<Object> ctlCommands()
    {
        return kinds.stream().flatMap(kind -> kind.ctlCommands().stream()).toList();
    }

    public List<StatSection> statSections()
    {
        return kinds.stream().flatMap(kind -> kind.statSections().stream()).toList();
    }

    public VplaneConfig load(final Path file)
    {
        return ConfigLoader.load(file, configSections());
    }

    /**
     * @param sourceName names the text in error messages
     */
    public VplaneConfig parse(final String yamlText, final String sourceName)
    {
        return ConfigLoader.parse(yamlText, sourceName, configSections());
    }

    /** The embedded reference file, read with these kinds' sections. */
    public VplaneConfig loadDefault()
    {
        return ConfigLoader.loadDefault(configSections());
    }

    /** Every setting at its code default, no devices. */
    public VplaneConfig defaults()
    {
        return ConfigDefaults.config(configSections());
    }
}
