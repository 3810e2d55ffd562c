package io.vplane.engine.daemon;

import io.vplane.config.DaemonConfig;
import io.vplane.config.PoolConfig;
import io.vplane.config.VplaneConfig;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The config a daemon runs with after a reload: the new values of the settings that apply live,
 * the old values of everything that needs a restart. Mirrors the live rules of {@code ConfigDiff};
 * each device kind's section brings its own ({@code ConfigSection.live}).
 */
final class LiveSettings
{
    private LiveSettings()
    {
    }

    static VplaneConfig merge(final VplaneConfig running, final VplaneConfig next)
    {
        final DaemonConfig daemon = new DaemonConfig(running.daemon().runDir(), next.daemon().drainTimeoutMs(),
            next.daemon().logLevel(), running.daemon().stateDir(), running.daemon().imageDirs(), running.daemon().socketDir(),
            running.daemon().remoteBackends(), running.daemon().housekeeping());
        final Map<String, PoolConfig> pools = new LinkedHashMap<>();
        running.pools().forEach((type, old) ->
        {
            final PoolConfig wanted = next.pool(type);
            pools.put(type, new PoolConfig(type, old.workers(), wanted.cpus(), wanted.queuesPerWorker(), wanted.batch(),
                old.dedicated(), old.idle(), old.ringSize(), old.inboxSize(), old.io(), wanted.autoBalance()));
        });
        return new VplaneConfig(daemon, running.management(), running.counters(), pools,
            running.sections().live(next.sections()));
    }
}
