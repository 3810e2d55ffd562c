package io.vplane.config;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * What a reload would change, setting by setting, and whether each change can be applied to the
 * running daemon. Live: queue-group shape within a pool (queuesPerWorker, batch, cpus), the log
 * level, the drain deadline, devices, the vSwitch, and NBD disks and tenants. Everything else sizes threads, rings, files or
 * sockets at start and needs a restart.
 */
public final class ConfigDiff
{
    /** Stands for a device or pool that exists on one side only. */
    public static final String ABSENT = "absent";

    private static final boolean LIVE = true;
    private static final boolean RESTART = false;

    private final List<SettingChange> changes = new ArrayList<>();

    private ConfigDiff()
    {
    }

    /**
     * @return changes in the order the settings appear in the model; empty when nothing differs
     */
    public static List<SettingChange> between(final VplaneConfig running, final VplaneConfig next)
    {
        final ConfigDiff diff = new ConfigDiff();
        diff.daemon(running.daemon(), next.daemon());
        diff.management(running.management(), next.management());
        diff.counters(running.counters(), next.counters());
        diff.pools(running, next);
        diff.named("devices.loopback.", running.devices().loopback(), next.devices().loopback(), LoopbackDeviceConfig::name,
            ConfigDiff::describe);
        diff.named("devices.vhostUser.", running.devices().vhostUser(), next.devices().vhostUser(), VhostUserPortConfig::name,
            ConfigDiff::describe);
        diff.nbd(running.nbd(), next.nbd());
        diff.vswitch(running.vswitch(), next.vswitch());
        return List.copyOf(diff.changes);
    }

    /** How a device appears in a change: every setting but its name, which is in the path. */
    public static String describe(final LoopbackDeviceConfig device)
    {
        return "type=" + device.type() + " queues=" + device.queues() + " ratePerSec=" + device.ratePerSec();
    }

    /** How a vhost-user port appears in a change: every setting but its name. */
    public static String describe(final VhostUserPortConfig port)
    {
        return "socketPath=" + port.socketPath() + " mode=" + port.mode() + " queuePairs=" + port.queuePairs() +
            " mac=" + port.mac() + " guestTx=" + port.guestTx() + " guestRx=" + port.guestRx() +
            " sourceFrameBytes=" + port.sourceFrameBytes() + " vswitch=" + port.vswitch();
    }

    private void daemon(final DaemonConfig running, final DaemonConfig next)
    {
        compare("daemon.runDir", running.runDir(), next.runDir(), RESTART);
        compare("daemon.drainTimeoutMs", running.drainTimeoutMs(), next.drainTimeoutMs(), LIVE);
        compare("daemon.logLevel", running.logLevel(), next.logLevel(), LIVE);
        compare("daemon.stateDir", running.stateDir(), next.stateDir(), RESTART);
        compare("daemon.imageDirs", running.imageDirs(), next.imageDirs(), RESTART);
        compare("daemon.socketDir", running.socketDir(), next.socketDir(), RESTART);
        compare("daemon.remoteBackends", running.remoteBackends(), next.remoteBackends(), RESTART);
    }

    private void management(final ManagementConfig running, final ManagementConfig next)
    {
        compare("management.enabled", running.enabled(), next.enabled(), RESTART);
        compare("management.socketGroup", running.socketGroup(), next.socketGroup(), RESTART);
        compare("management.tcp", running.tcp(), next.tcp(), RESTART);
        compare("management.bindAddress", running.bindAddress(), next.bindAddress(), RESTART);
        compare("management.httpPort", running.httpPort(), next.httpPort(), RESTART);
        compare("management.tokenFile", running.tokenFile(), next.tokenFile(), RESTART);
        compare("management.tlsCertFile", running.tlsCertFile(), next.tlsCertFile(), RESTART);
        compare("management.tlsKeyFile", running.tlsKeyFile(), next.tlsKeyFile(), RESTART);
    }

    private void counters(final CountersConfig running, final CountersConfig next)
    {
        compare("counters.fileName", running.fileName(), next.fileName(), RESTART);
        compare("counters.maxCounters", running.maxCounters(), next.maxCounters(), RESTART);
    }

    private void pools(final VplaneConfig running, final VplaneConfig next)
    {
        // The standard types in their usual order, then any others a hand-built model may carry.
        final Set<String> types = new LinkedHashSet<>(VplaneConfig.DEVICE_TYPES);
        running.pools().keySet().stream().sorted().forEach(types::add);
        next.pools().keySet().stream().sorted().forEach(types::add);
        for (final String type : types)
        {
            final PoolConfig before = running.pools().get(type);
            final PoolConfig after = next.pools().get(type);
            if (null == before || null == after)
            {
                if (before != after)
                {
                    changes.add(new SettingChange(
                        "pools." + type, null == before ? ABSENT : "present", null == after ? ABSENT : "present", RESTART));
                }
                continue;
            }
            pool("pools." + type + ".", before, after);
        }
    }

    private void pool(final String prefix, final PoolConfig running, final PoolConfig next)
    {
        compare(prefix + "workers", running.workers(), next.workers(), RESTART);
        compare(prefix + "cpus", running.cpus(), next.cpus(), LIVE);
        compare(prefix + "queuesPerWorker", running.queuesPerWorker(), next.queuesPerWorker(), LIVE);
        compare(prefix + "batch", running.batch(), next.batch(), LIVE);
        compare(prefix + "dedicated", running.dedicated(), next.dedicated(), RESTART);
        idle(prefix + "idle.", running.idle(), next.idle());
        compare(prefix + "ringSize", running.ringSize(), next.ringSize(), RESTART);
        compare(prefix + "inboxSize", running.inboxSize(), next.inboxSize(), RESTART);
    }

    private void idle(final String prefix, final IdleConfig running, final IdleConfig next)
    {
        compare(prefix + "strategy", running.strategy().configName(), next.strategy().configName(), RESTART);
        compare(prefix + "maxSpins", running.maxSpins(), next.maxSpins(), RESTART);
        compare(prefix + "maxYields", running.maxYields(), next.maxYields(), RESTART);
        compare(prefix + "minParkNs", running.minParkNs(), next.minParkNs(), RESTART);
        compare(prefix + "maxParkNs", running.maxParkNs(), next.maxParkNs(), RESTART);
    }

    /**
     * Disks are added, removed (drained first) or reopened, and tenant rules apply to new
     * connections, all live; the listener's address, port and TLS files are bound at start.
     */
    private void nbd(final NbdConfig running, final NbdConfig next)
    {
        compare("nbd.bindAddress", running.bindAddress(), next.bindAddress(), RESTART);
        compare("nbd.port", running.port(), next.port(), RESTART);
        named("nbd.disks.", running.disks(), next.disks(), NbdDiskConfig::name, ConfigDiff::describe);
        named("nbd.tenants.", running.tenants(), next.tenants(), NbdTenantConfig::name, ConfigDiff::describe);
        compare("nbd.tls", running.tls(), next.tls(), RESTART);
    }

    /** How a disk appears in a change: every setting but its name. */
    public static String describe(final NbdDiskConfig disk)
    {
        return "image=" + disk.image() + " sizeBytes=" + disk.sizeBytes() + " readOnly=" + disk.readOnly() +
            " description=" + disk.description() + " tenant=" + disk.tenant() + " queues=" + disk.queues() +
            " minBlockBytes=" + disk.minBlockBytes();
    }

    /** How a tenant appears in a change: every setting but its name. */
    public static String describe(final NbdTenantConfig tenant)
    {
        return "allow=" + tenant.allow() + " requireTls=" + tenant.requireTls();
    }

    /** Live changes of a list of named entries: each entry changed, removed or added. */
    private <T> void named(
        final String prefix, final List<T> running, final List<T> next, final Function<T, String> name,
        final Function<T, String> describe)
    {
        for (final T before : running)
        {
            final T after = next.stream().filter(entry -> name.apply(entry).equals(name.apply(before))).findFirst().orElse(null);
            compare(prefix + name.apply(before), describe.apply(before), null == after ? ABSENT : describe.apply(after), LIVE);
        }
        for (final T after : next)
        {
            if (running.stream().noneMatch(entry -> name.apply(entry).equals(name.apply(after))))
            {
                changes.add(new SettingChange(prefix + name.apply(after), ABSENT, describe.apply(after), LIVE));
            }
        }
    }

    /** The switch device is reopened with the new settings and table (learned MACs are relearned). */
    private void vswitch(final VswitchConfig running, final VswitchConfig next)
    {
        compare("vswitch.enabled", running.enabled(), next.enabled(), LIVE);
        compare("vswitch.name", running.name(), next.name(), LIVE);
        compare("vswitch.antiSpoofing", running.antiSpoofing(), next.antiSpoofing(), LIVE);
        compare("vswitch.proxyArp", running.proxyArp(), next.proxyArp(), LIVE);
        compare("vswitch.proxyNd", running.proxyNd(), next.proxyNd(), LIVE);
        compare("vswitch.macAgingMs", running.macAgingMs(), next.macAgingMs(), LIVE);
        compare("vswitch.macTableSize", running.macTableSize(), next.macTableSize(), LIVE);
        compare("vswitch.burstSize", running.burstSize(), next.burstSize(), LIVE);
        compare("vswitch.maxFrameBytes", running.maxFrameBytes(), next.maxFrameBytes(), LIVE);
        compare("vswitch.maxVlanTags", running.maxVlanTags(), next.maxVlanTags(), LIVE);
        compare("vswitch.maxTableEntries", running.maxTableEntries(), next.maxTableEntries(), LIVE);
        compare("vswitch.table", running.table(), next.table(), LIVE);
    }

    private void compare(final String path, final Object running, final Object next, final boolean live)
    {
        if (!Objects.equals(running, next))
        {
            // List.toString gives "[0, 1]", the YAML flow spelling.
            changes.add(new SettingChange(path, String.valueOf(running), String.valueOf(next), live));
        }
    }
}
