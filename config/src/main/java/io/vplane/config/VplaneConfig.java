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
 * @param devices    declared devices
 * @param nbd        the NBD server, its disks and tenants
 * @param vswitch    the software switch and its translation table
 */
public record VplaneConfig(
    DaemonConfig daemon,
    ManagementConfig management,
    CountersConfig counters,
    Map<String, PoolConfig> pools,
    DevicesConfig devices,
    NbdConfig nbd,
    VswitchConfig vswitch)
{
    /** The device types that always have a pool. */
    public static final List<String> DEVICE_TYPES = List.of("net", "blk", "vsock");

    public VplaneConfig
    {
        pools = Map.copyOf(pools);
    }

    /** Every setting at its code default and no devices; see {@link ConfigDefaults}. */
    public static VplaneConfig defaults()
    {
        return ConfigDefaults.config();
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
        return new VplaneConfig(concluded, management, counters, pools, devices, nbd, vswitch);
    }
}
