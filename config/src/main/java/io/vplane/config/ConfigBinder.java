package io.vplane.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Turns the YAML tree into the typed model, section by section, with the allowed range of every
 * setting. Checks that span settings (device names unique, a device's pool exists) live here too.
 */
final class ConfigBinder
{
    static final List<String> LOG_LEVELS = List.of("ERROR", "WARN", "INFO", "DEBUG", "TRACE");

    private static final Pattern DEVICE_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,32}");
    private static final Pattern MAC = Pattern.compile("[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}");
    /** sockaddr_un holds 107 path bytes and a NUL. */
    private static final int MAX_SOCKET_PATH = 107;
    private static final long ONE_BILLION = 1_000_000_000L;
    private static final int MAX_CPU = 1023;

    private ConfigBinder()
    {
    }

    static VplaneConfig bind(final SectionReader root)
    {
        final DaemonConfig daemon = daemon(root.section("daemon"));
        final ManagementConfig management = management(root.section("management"));
        final CountersConfig counters = counters(root.section("counters"));
        final Map<String, PoolConfig> pools = pools(root.section("pools"));
        final DevicesConfig devices = devices(root.section("devices"), pools);
        final NbdConfig nbd = NbdBinder.nbd(root.section("nbd"), devices);
        final VswitchConfig vswitch = VswitchBinder.vswitch(root.section("vswitch"));
        root.finish();
        return new VplaneConfig(daemon, management, counters, pools, devices, nbd, vswitch);
    }

    private static DaemonConfig daemon(final SectionReader section)
    {
        final String runDir = absoluteOrEmpty(section, "runDir", ConfigDefaults.RUN_DIR);
        final long drainTimeoutMs = section.longValue("drainTimeoutMs", ConfigDefaults.DRAIN_TIMEOUT_MS, 0, 600_000);
        final String logLevel = section.choice("logLevel", ConfigDefaults.LOG_LEVEL, LOG_LEVELS, "log level");
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
        section.finish();
        return new DaemonConfig(runDir, drainTimeoutMs, logLevel, stateDir, imageDirs, socketDir, remoteBackends);
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
        section.finish();
        return new PoolConfig(defaults.type(), workers, cpus, queuesPerWorker, batch, dedicated, idle, ringSize, inboxSize);
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

    private static DevicesConfig devices(final SectionReader section, final Map<String, PoolConfig> pools)
    {
        final List<LoopbackDeviceConfig> loopback = new ArrayList<>();
        final Map<String, Integer> firstLineByName = new HashMap<>();
        for (final SectionReader item : section.list("loopback"))
        {
            final LoopbackDeviceConfig device = loopback(item, pools);
            if (null == device)
            {
                continue;
            }
            final Integer firstLine = firstLineByName.putIfAbsent(device.name(), item.lineOf("name"));
            if (null != firstLine)
            {
                item.reject("name", "device name '" + device.name() + "' is used twice; first at line " + firstLine);
                continue;
            }
            loopback.add(device);
        }
        final List<VhostUserPortConfig> vhostUser = new ArrayList<>();
        for (final SectionReader item : section.list("vhostUser"))
        {
            final VhostUserPortConfig port = vhostUser(item);
            if (null == port)
            {
                continue;
            }
            final Integer firstLine = firstLineByName.putIfAbsent(port.name(), item.lineOf("name"));
            if (null != firstLine)
            {
                item.reject("name", "device name '" + port.name() + "' is used twice; first at line " + firstLine);
                continue;
            }
            vhostUser.add(port);
        }
        section.finish("device kind");
        return new DevicesConfig(loopback, vhostUser);
    }

    /**
     * @return the port, or null when its name or socket path is missing or bad
     */
    private static VhostUserPortConfig vhostUser(final SectionReader item)
    {
        final String name = item.requiredString("name");
        final boolean nameOk = null != name && DEVICE_NAME.matcher(name).matches();
        if (null != name && !nameOk)
        {
            item.reject("name", "device name '" + name + "' is not allowed; use 1 to 32 of A-Z a-z 0-9 _ . -");
        }
        final String socketPath = item.requiredString("socketPath");
        final boolean pathOk = null != socketPath && !socketPath.isEmpty() &&
            socketPath.getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= MAX_SOCKET_PATH;
        if (null != socketPath && !pathOk)
        {
            item.reject("socketPath", "socket path must be 1 to " + MAX_SOCKET_PATH + " bytes, got " +
                socketPath.length() + " characters");
        }
        final String mode = item.choice("mode", ConfigDefaults.VHOST_USER_MODE, List.of(VhostUserPortConfig.MODE_SERVER, VhostUserPortConfig.MODE_CLIENT), "mode");
        final int queuePairs = item.integer("queuePairs", ConfigDefaults.VHOST_USER_QUEUE_PAIRS, 1, 16);
        final String mac = item.string("mac", ConfigDefaults.VHOST_USER_MAC);
        if (!MAC.matcher(mac).matches() || (Integer.parseInt(mac.substring(0, 2), 16) & 1) != 0)
        {
            item.reject("mac", "MAC '" + mac + "' must be six hex bytes like 52:54:00:12:34:56, not multicast");
        }
        final String guestTx = item.choice("guestTx", ConfigDefaults.VHOST_USER_GUEST_TX,
            List.of(VhostUserPortConfig.GUEST_TX_SINK, VhostUserPortConfig.GUEST_TX_LOOPBACK, VhostUserPortConfig.GUEST_TX_SWITCH),
            "guestTx action");
        final String guestRx = item.choice("guestRx", ConfigDefaults.VHOST_USER_GUEST_RX,
            List.of(VhostUserPortConfig.GUEST_RX_IDLE, VhostUserPortConfig.GUEST_RX_SOURCE), "guestRx feed");
        final int sourceFrameBytes = item.integer("sourceFrameBytes", ConfigDefaults.VHOST_USER_SOURCE_FRAME_BYTES, 60, 9_000);
        if (VhostUserPortConfig.GUEST_TX_LOOPBACK.equals(guestTx) && VhostUserPortConfig.GUEST_RX_SOURCE.equals(guestRx))
        {
            item.reject("guestRx", "guestRx 'source' and guestTx 'loopback' both feed the receive queues; choose one");
        }
        if (VhostUserPortConfig.GUEST_TX_SWITCH.equals(guestTx) && VhostUserPortConfig.GUEST_RX_SOURCE.equals(guestRx))
        {
            item.reject("guestRx", "guestRx 'source' and guestTx 'switch' both feed the receive queues; choose one");
        }
        final String vswitch = item.string("vswitch", ConfigDefaults.VHOST_USER_VSWITCH);
        if (!DEVICE_NAME.matcher(vswitch).matches())
        {
            item.reject("vswitch", "switch name '" + vswitch + "' is not allowed; use 1 to 32 of A-Z a-z 0-9 _ . -");
        }
        item.finish();
        return nameOk && pathOk ? new VhostUserPortConfig(name, socketPath, mode, queuePairs, mac.toLowerCase(java.util.Locale.ROOT),
            guestTx, guestRx, sourceFrameBytes, vswitch) : null;
    }

    /**
     * @return the device, or null when its name is missing or bad (other errors fall back to defaults)
     */
    private static LoopbackDeviceConfig loopback(final SectionReader item, final Map<String, PoolConfig> pools)
    {
        final String name = item.requiredString("name");
        final boolean nameOk = null != name && DEVICE_NAME.matcher(name).matches();
        if (null != name && !nameOk)
        {
            item.reject("name", "device name '" + name + "' is not allowed; use 1 to 32 of A-Z a-z 0-9 _ . -");
        }
        final String type = item.string("type", ConfigDefaults.LOOPBACK_TYPE);
        if (!pools.containsKey(type))
        {
            item.reject("type", "type '" + type + "' names no pool; allowed: " + String.join(", ", pools.keySet()));
        }
        final int queues = item.integer("queues", ConfigDefaults.LOOPBACK_QUEUES, 1, 1024);
        final long ratePerSec = item.longValue("ratePerSec", ConfigDefaults.LOOPBACK_RATE_PER_SEC, 0, 100_000_000);
        item.finish();
        return nameOk ? new LoopbackDeviceConfig(name, type, queues, ratePerSec) : null;
    }
}
