package io.vplane.config;

import java.util.List;
import java.util.Map;

/**
 * The whole configuration of one daemon, as read from the YAML file (or the embedded default).
 *
 * @param daemon     process-wide settings: run directory, drain deadline, log level
 * @param management the HTTP management API
 * @param counters   the memory-mapped counters file
 * @param pools      worker pools keyed by device type ({@code net}, {@code blk}, {@code vsock})
 * @param sections   the sections of the installed device kinds (their devices and servers)
 */
public record VplaneConfig(
    DaemonConfig daemon,
    ManagementConfig management,
    CountersConfig counters,
    Map<String, PoolConfig> pools,
    DeviceSections sections)
{
    /** The device types that always have a pool. */
    public static final List<String> DEVICE_TYPES = List.of("net", "blk", "vsock");

    public VplaneConfig
    {
        pools = Map.copyOf(pools);
    }

    /** Every setting at its code default, no device kinds; see {@link ConfigDefaults}. */
    public static VplaneConfig defaults()
    {
        return ConfigDefaults.config(List.of());
    }

    public PoolConfig pool(final String type)
    {
        final PoolConfig pool = pools.get(type);
        if (null == pool)
        {
            throw new IllegalArgumentException("no worker pool for device type '" + type + "'; types: " + DEVICE_TYPES);
        }
        return pool;
    }

    /** The same config with another daemon section, such as one whose default directories are filled in. */
    public VplaneConfig withDaemon(final DaemonConfig concluded)
    {
        return new VplaneConfig(concluded, management, counters, pools, sections);
    }

    /**
     * A device kind's own section, e.g. {@code config.section(LoopbackDevicesConfig.class)}.
     *
     * @throws java.util.NoSuchElementException when no installed kind binds a section of that type
     */
    public <T> T section(final Class<T> type)
    {
        return sections.get(type);
    }

}
