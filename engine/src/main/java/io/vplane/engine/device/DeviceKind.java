package io.vplane.engine.device;

import io.vplane.config.ConfigSection;
import io.vplane.engine.management.ManagementExtension;

import java.util.List;

/**
 * Everything one device kind brings to the engine, found with {@link java.util.ServiceLoader}: its
 * config sections (schema, defaults, checks, reload rules), the providers that open its devices, its
 * management API routes and its {@code vplane ctl} subcommands. Its devices allocate their own
 * counters when opened, which {@code vplane stat} and {@code /metrics} show by label. The engine and
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
}
