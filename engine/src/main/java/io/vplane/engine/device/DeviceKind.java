package io.vplane.engine.device;

import io.vplane.config.ConfigSection;
import io.vplane.engine.management.ManagementExtension;
import io.vplane.engine.stat.StatSection;

import java.util.List;

/**
 * Everything one device kind brings to the engine, found with {@link java.util.ServiceLoader}: its
 * config sections (schema, defaults, checks, reload rules), the providers that open its devices, its
 * management API routes, its {@code vplane ctl} subcommands and its {@code vplane stat} tables. Its
 * devices allocate their own counters when opened, which {@code /metrics} shows by label and
 * {@code vplane stat} in the kind's tables (or, when no table shows them, as other counters). The engine and
 * the config module know no kind by name; a new kind is a module with one of these listed in
 * {@code META-INF/services/io.vplane.engine.device.DeviceKind}.
 */
public interface DeviceKind
{
    /** Short name, e.g. {@code loopback}, {@code net}, {@code blk}; for messages. */
    String name();

    default List<ConfigSection<?>> configSections()
    {
        return List.of();
    }

    default List<DeviceProvider> deviceProviders()
    {
        return List.of();
    }

    default List<ManagementExtension> managementExtensions()
    {
        return List.of();
    }

    /** Picocli commands (objects of {@code @Command} classes) added under {@code vplane ctl}. */
    default List<Object> ctlCommands()
    {
        return List.of();
    }

    /**
     * Tables {@code vplane stat} shows for this kind's counters, after the engine's queues. Read
     * in the {@code stat} process, from the counters file alone: a section names metrics and labels,
     * never a running device.
     */
    default List<StatSection> statSections()
    {
        return List.of();
    }
}
