package io.vplane.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns the YAML tree into the typed model, section by section, with the allowed range of every
 * setting. The device kinds' sections bind themselves ({@link ConfigSection}), in the order the
 * {@link BindContext} they share needs.
 */
final class ConfigBinder
{
    private static final long ONE_BILLION = 1_000_000_000L;
    private static final int MAX_CPU = 1023;

    private ConfigBinder()
    {
    }

    /**
     * @param schema the sections of the installed device kinds; device lists are bound first, so the
     *               other sections see every device name
     */
    static VplaneConfig bind(final SectionReader root, final List<ConfigSection<?>> schema)
    {
        final DaemonConfig daemon = daemon(root.section("daemon"));
        final ManagementConfig management = management(root.section("management"));
        final CountersConfig counters = counters(root.section("counters"));
        final Map<String, PoolConfig> pools = pools(root.section("pools"));
        final BindContext context = new BindContext(pools.keySet());
        final List<ConfigSection<?>> ordered = DeviceSections.inBindingOrder(schema);
        final Map<String, Object> values = new LinkedHashMap<>();
        final SectionReader devices = root.section("devices");
        for (final ConfigSection<?> section : ordered)
        {
            if (ConfigSection.Place.DEVICES == section.place())
            {
                values.put(section.path(), section.bind(devices, context));
            }
        }
        devices.finish("device kind");
        for (final ConfigSection<?> section : ordered)
        {
            if (ConfigSection.Place.ROOT == section.place())
            {
                values.put(section.path(), section.bind(root, context));
            }
        }
        root.finish();
        return new VplaneConfig(daemon, management, counters, pools, DeviceSections.of(ordered, values));
    }

    private static DaemonConfig daemon(final SectionReader section)
    {
        final String runDir = absoluteOrEmpty(section, "runDir", ConfigDefaults.RUN_DIR);
        final long drainTimeoutMs = section.longValue("drainTimeoutMs", ConfigDefaults.DRAIN_TIMEOUT_MS, 0, 600_000);
        final LogLevel logLevel = section.enumValue("logLevel", ConfigDefaults.LOG_LEVEL, LogLevel.values(), LogLevel::name, "log level");
        final String stateDir = absoluteOrEmpty(section, "stateDir", ConfigDefaults.STATE_DIR);
        final List<String> imageDirs = section.stringList("imageDirs", List.of());
        for (final String dir : imageDirs)
        {
            if (!dir.startsWith("/"))
            {
                section.reject("imageDirs", "image directory '" + dir + "' must be an absolute path");
            }
        }
        final String socketDir = absoluteOrEmpty(section, "socketDir", ConfigDefaults.SOCKET_DIR);
        final List<String> remoteBackends = section.stringList("remoteBackends", List.of());
        for (final String endpoint : remoteBackends)
        {
            if (null == HostPort.parse(endpoint))
            {
                section.reject("remoteBackends", "'" + endpoint + "' is not HOST:PORT (IPv6 as [ADDR]:PORT, port 1..65535)");
            }
        }
        final SectionReader housekeepingSection = section.section("housekeeping");
        final HousekeepingConfig housekeeping = new HousekeepingConfig(
            housekeepingSection.bool("enabled", HousekeepingConfig.AUTO.enabled()),
            housekeepingSection.intList("cpus", HousekeepingConfig.AUTO.cpus(), 0, MAX_CPU, "CPU"));
        housekeepingSection.finish();
        section.finish();
        return new DaemonConfig(runDir, drainTimeoutMs, logLevel, stateDir, imageDirs, socketDir, remoteBackends, housekeeping);
    }

    private static String absoluteOrEmpty(final SectionReader section, final String key, final String fallback)
    {
        final String dir = section.string(key, fallback).strip();
        if (!dir.isEmpty() && !dir.startsWith("/"))
        {
            section.reject(key, "must be an absolute path, or empty for the default; got '" + dir + "'");
        }
        return dir;
    }

    private static ManagementConfig management(final SectionReader section)
    {
        final boolean enabled = section.bool("enabled", ConfigDefaults.MANAGEMENT_ENABLED);
        final String socketGroup = section.string("socketGroup", ConfigDefaults.SOCKET_GROUP).strip();
        final boolean tcp = section.bool("tcp", ConfigDefaults.MANAGEMENT_TCP);
        final String bindAddress = section.string("bindAddress", ConfigDefaults.BIND_ADDRESS).strip();
        if (bindAddress.isEmpty())
        {
            section.reject("bindAddress", "must not be empty; use 127.0.0.1 for local access or 0.0.0.0 for all interfaces");
        }
        final int httpPort = section.integer("httpPort", ConfigDefaults.HTTP_PORT, 0, 65_535);
        final String tokenFile = absoluteOrEmpty(section, "tokenFile", "");
        if (tcp && tokenFile.isEmpty())
        {
            section.reject("tokenFile", "the TCP listener needs a bearer token: name a file (mode 0600) that holds it");
        }
        final String tlsCertFile = absoluteOrEmpty(section, "tlsCertFile", "");
        final String tlsKeyFile = absoluteOrEmpty(section, "tlsKeyFile", "");
        if (tlsCertFile.isEmpty() != tlsKeyFile.isEmpty())
        {
            section.reject(tlsCertFile.isEmpty() ? "tlsCertFile" : "tlsKeyFile", "TLS needs both tlsCertFile and tlsKeyFile");
        }
        section.finish();
        return new ManagementConfig(enabled, socketGroup, tcp, bindAddress, httpPort, tokenFile, tlsCertFile, tlsKeyFile);
    }

    private static CountersConfig counters(final SectionReader section)
    {
        final String fileName = section.string("fileName", ConfigDefaults.COUNTERS_FILE_NAME);
        if (fileName.isEmpty() || fileName.contains("/") || ".".equals(fileName) || "..".equals(fileName))
        {
            section.reject("fileName",
                "must be a plain file name inside the run directory (no '/'), got '" + fileName + "'");
        }
        final int maxCounters = section.integer("maxCounters", ConfigDefaults.MAX_COUNTERS, 64, 1_000_000);
        section.finish();
        return new CountersConfig(fileName, maxCounters);
    }

    private static Map<String, PoolConfig> pools(final SectionReader section)
    {
        final Map<String, PoolConfig> pools = new LinkedHashMap<>();
        for (final String type : VplaneConfig.DEVICE_TYPES)
        {
            pools.put(type, pool(section.section(type), ConfigDefaults.pool(type)));
        }
        section.finish("pool");
        return pools;
    }

    private static PoolConfig pool(final SectionReader section, final PoolConfig defaults)
    {
        final int workers = section.integer("workers", defaults.workers(), 1, 256);
        final List<Integer> cpus = section.intList("cpus", defaults.cpus(), 0, MAX_CPU, "CPU");
        final int queuesPerWorker = section.integer("queuesPerWorker", defaults.queuesPerWorker(), 1, 1024);
        final int batch = section.integer("batch", defaults.batch(), 1, 65_536);
        final boolean dedicated = section.bool("dedicated", defaults.dedicated());
        final IdleConfig idle = idle(section.section("idle"), defaults.idle());
        final int ringSize = section.powerOfTwo("ringSize", defaults.ringSize(), 64, 1_048_576);
        final int inboxSize = section.powerOfTwo("inboxSize", defaults.inboxSize(), 16, 65_536);
        final IoThreadsConfig io = ioThreads(section.section("io"), defaults.io());
        final AutoBalanceConfig autoBalance = autoBalance(section.section("autoBalance"), defaults.autoBalance());
        if (autoBalance.enabled() && dedicated)
        {
            section.reject("autoBalance", "cannot regroup by load in a dedicated pool (every group has a worker of its own)");
        }
        section.finish();
        return new PoolConfig(defaults.type(), workers, cpus, queuesPerWorker, batch, dedicated, idle, ringSize, inboxSize, io,
            autoBalance);
    }

    private static AutoBalanceConfig autoBalance(final SectionReader section, final AutoBalanceConfig defaults)
    {
        final boolean enabled = section.bool("enabled", defaults.enabled());
        final int thresholdPercent = section.integer("thresholdPercent", defaults.thresholdPercent(), 1, 100);
        final int minIntervalSeconds = section.integer("minIntervalSeconds", defaults.minIntervalSeconds(), 1, 86_400);
        section.finish();
        return new AutoBalanceConfig(enabled, thresholdPercent, minIntervalSeconds);
    }

    private static IoThreadsConfig ioThreads(final SectionReader section, final IoThreadsConfig defaults)
    {
        final int threads = section.integer("threads", defaults.threads(), 0, 256);
        final List<Integer> cpus = section.intList("cpus", defaults.cpus(), 0, MAX_CPU, "CPU");
        section.finish();
        return new IoThreadsConfig(threads, cpus);
    }

    private static IdleConfig idle(final SectionReader section, final IdleConfig defaults)
    {
        final IdleStrategyKind strategy = section.enumValue(
            "strategy", defaults.strategy(), IdleStrategyKind.values(), IdleStrategyKind::configName, "idle strategy");
        final long maxSpins = section.longValue("maxSpins", defaults.maxSpins(), 0, ONE_BILLION);
        final long maxYields = section.longValue("maxYields", defaults.maxYields(), 0, ONE_BILLION);
        final long minParkNs = section.longValue("minParkNs", defaults.minParkNs(), 1, ONE_BILLION);
        final long maxParkNs = section.longValue("maxParkNs", defaults.maxParkNs(), 1, 10 * ONE_BILLION);
        if (minParkNs > maxParkNs)
        {
            section.reject("minParkNs", "minParkNs " + minParkNs + " must not exceed maxParkNs " + maxParkNs);
        }
        section.finish();
        return new IdleConfig(strategy, maxSpins, maxYields, minParkNs, maxParkNs);
    }
}
