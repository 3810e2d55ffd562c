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
 * level and the drain deadline; everything else of the core sizes threads, rings, files or sockets at
 * start and needs a restart. Each device kind's section adds its own changes and rules
 * ({@link ConfigSection#diff}) through {@link #compare} and {@link #named}.
 */
public final class ConfigDiff
{
    /** Stands for a device or pool that exists on one side only. */
    public static final String ABSENT = "absent";

    public static final boolean LIVE = true;
    public static final boolean RESTART = false;

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
        running.sections().diff(next.sections(), diff);
        return List.copyOf(diff.changes);
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
        compare("daemon.housekeeping", running.housekeeping(), next.housekeeping(), RESTART);
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
        compare(prefix + "io.threads", running.io().threads(), next.io().threads(), RESTART);
        compare(prefix + "io.cpus", running.io().cpus(), next.io().cpus(), RESTART);
        compare(prefix + "autoBalance.enabled", running.autoBalance().enabled(), next.autoBalance().enabled(), LIVE);
        compare(prefix + "autoBalance.thresholdPercent", running.autoBalance().thresholdPercent(),
            next.autoBalance().thresholdPercent(), LIVE);
        compare(prefix + "autoBalance.minIntervalSeconds", running.autoBalance().minIntervalSeconds(),
            next.autoBalance().minIntervalSeconds(), LIVE);
    }

    private void idle(final String prefix, final IdleConfig running, final IdleConfig next)
    {
        compare(prefix + "strategy", running.strategy().configName(), next.strategy().configName(), RESTART);
        compare(prefix + "maxSpins", running.maxSpins(), next.maxSpins(), RESTART);
        compare(prefix + "maxYields", running.maxYields(), next.maxYields(), RESTART);
        compare(prefix + "minParkNs", running.minParkNs(), next.minParkNs(), RESTART);
        compare(prefix + "maxParkNs", running.maxParkNs(), next.maxParkNs(), RESTART);
    }

    /** Live changes of a list of named entries: each entry changed, removed or added. */
    public <T> void named(
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

    /** Adds a change when the two values differ, written as YAML spells them. */
    public void compare(final String path, final Object running, final Object next, final boolean live)
    {
        if (!Objects.equals(running, next))
        {
            // List.toString gives "[0, 1]", the YAML flow spelling.
            changes.add(new SettingChange(path, String.valueOf(running), String.valueOf(next), live));
        }
    }
}
