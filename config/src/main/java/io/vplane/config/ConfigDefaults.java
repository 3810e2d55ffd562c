package io.vplane.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The values a setting takes when the file does not give it. The reference file {@code vplane.yaml}
 * spells out the same values; a test holds the two together. Each device kind keeps the defaults of
 * its own section ({@link ConfigSection#defaults()}).
 */
public final class ConfigDefaults
{
    /** Empty: /run/vplane as root, $XDG_RUNTIME_DIR/vplane otherwise (chosen by the daemon). */
    public static final String RUN_DIR = "";
    /** Empty: /var/lib/vplane as root, $XDG_STATE_HOME/vplane otherwise (chosen by the daemon). */
    public static final String STATE_DIR = "";
    /** Empty: the run directory. */
    public static final String SOCKET_DIR = "";
    public static final long DRAIN_TIMEOUT_MS = 5_000;
    public static final LogLevel LOG_LEVEL = LogLevel.INFO;

    public static final boolean MANAGEMENT_ENABLED = true;
    public static final String SOCKET_GROUP = "";
    public static final boolean MANAGEMENT_TCP = false;
    public static final String BIND_ADDRESS = "127.0.0.1";
    public static final int HTTP_PORT = 9780;

    public static final String COUNTERS_FILE_NAME = "counters.dat";
    public static final int MAX_COUNTERS = 4096;

    public static final int WORKERS = 1;
    public static final boolean DEDICATED = false;
    public static final int RING_SIZE = 4096;
    public static final int INBOX_SIZE = 256;
    /** 0: one I/O thread per available processor. */
    public static final int IO_THREADS = 0;

    private static final IdleConfig BACKOFF = new IdleConfig(IdleStrategyKind.BACKOFF, 100, 10, 1_000, 1_000_000);
    /**
     * Block workers hand each request to an event loop and back; on few cores yielding or spinning
     * long takes the CPU from the event loop and the client, so they spin briefly, then sleep.
     */
    private static final IdleConfig BLK_BACKOFF = new IdleConfig(IdleStrategyKind.BACKOFF, 20, 0, 1_000, 1_000_000);
    private static final IdleConfig PARK = new IdleConfig(IdleStrategyKind.PARK, 0, 0, 1_000_000, 1_000_000);

    private ConfigDefaults()
    {
    }

    public static DaemonConfig daemon()
    {
        return new DaemonConfig(RUN_DIR, DRAIN_TIMEOUT_MS, LOG_LEVEL, STATE_DIR, List.of(), SOCKET_DIR, List.of());
    }

    public static ManagementConfig management()
    {
        return new ManagementConfig(MANAGEMENT_ENABLED, SOCKET_GROUP, MANAGEMENT_TCP, BIND_ADDRESS, HTTP_PORT, "", "", "");
    }

    public static CountersConfig counters()
    {
        return new CountersConfig(COUNTERS_FILE_NAME, MAX_COUNTERS);
    }

    /**
     * Defaults of one pool. Network queues are many and hot, block queues deeper, and vsock carries
     * control traffic only, so its workers park rather than spin.
     *
     * @param type one of {@link VplaneConfig#DEVICE_TYPES}
     */
    public static PoolConfig pool(final String type)
    {
        return switch (type)
        {
            case "net" -> pool(type, 2, 32, BACKOFF);
            case "blk" -> pool(type, 4, 16, BLK_BACKOFF);
            case "vsock" -> pool(type, 8, 16, PARK);
            default -> throw new IllegalArgumentException(
                "no worker pool for device type '" + type + "'; types: " + VplaneConfig.DEVICE_TYPES);
        };
    }

    /** A pool with default settings for every device type. */
    public static Map<String, PoolConfig> pools()
    {
        final Map<String, PoolConfig> pools = new LinkedHashMap<>();
        for (final String type : VplaneConfig.DEVICE_TYPES)
        {
            pools.put(type, pool(type));
        }
        return pools;
    }

    /**
     * Everything at its default, with no devices.
     *
     * @param schema the sections of the installed device kinds, each at its own defaults
     */
    public static VplaneConfig config(final List<ConfigSection<?>> schema)
    {
        return new VplaneConfig(daemon(), management(), counters(), pools(), DeviceSections.defaults(schema));
    }

    private static PoolConfig pool(final String type, final int queuesPerWorker, final int batch, final IdleConfig idle)
    {
        return new PoolConfig(type, WORKERS, List.of(), queuesPerWorker, batch, DEDICATED, idle, RING_SIZE, INBOX_SIZE,
            new IoThreadsConfig(IO_THREADS, List.of()));
    }
}
