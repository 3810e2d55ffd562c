package io.vplane.engine.confine;

import io.vplane.config.DaemonConfig;
import io.vplane.config.VplaneConfig;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Fills in the directories a config leaves empty, the way system daemons choose them: the ones
 * systemd made for the service ($RUNTIME_DIRECTORY, $STATE_DIRECTORY; systemd.exec(5)), else as root
 * the system's (/run/vplane, /var/lib/vplane), otherwise the user's own (XDG base directories),
 * never a shared, world-writable place such as /tmp. Everything after start-up sees only concrete paths.
 */
public final class DefaultDirectories
{
    static final String SYSTEM_RUN_DIR = "/run/vplane";
    static final String SYSTEM_STATE_DIR = "/var/lib/vplane";
    private static final String IMAGES = "images";

    private DefaultDirectories()
    {
    }

    /** The config with every directory of its daemon section concrete; a concluded config stays as it is. */
    public static VplaneConfig conclude(final VplaneConfig config)
    {
        return config.withDaemon(conclude(config.daemon()));
    }

    public static DaemonConfig conclude(final DaemonConfig daemon)
    {
        return conclude(daemon, DaemonUser.isRoot(), System.getenv());
    }

    static DaemonConfig conclude(final DaemonConfig daemon, final boolean root, final Map<String, String> env)
    {
        final String runDir = daemon.runDir().isEmpty() ? runDir(root, env) : daemon.runDir();
        final String stateDir = daemon.stateDir().isEmpty() ? stateDir(root, env) : daemon.stateDir();
        final List<String> imageDirs = daemon.imageDirs().isEmpty() ? List.of(Path.of(stateDir, IMAGES).toString()) : daemon.imageDirs();
        final String socketDir = daemon.socketDir().isEmpty() ? runDir : daemon.socketDir();
        return new DaemonConfig(runDir, daemon.drainTimeoutMs(), daemon.logLevel(), stateDir, imageDirs, socketDir,
            daemon.remoteBackends(), daemon.housekeeping());
    }

    private static String runDir(final boolean root, final Map<String, String> env)
    {
        final String service = serviceDir(env.get("RUNTIME_DIRECTORY"), root, SYSTEM_RUN_DIR);
        if (null != service)
        {
            return service;
        }
        final String xdg = env.get("XDG_RUNTIME_DIR");
        if (null == xdg || !xdg.startsWith("/"))
        {
            throw new IllegalStateException("XDG_RUNTIME_DIR is not set and vplane does not run as root: " +
                "set daemon.runDir (or --run-dir) to a directory of this user's");
        }
        return Path.of(xdg, "vplane").toString();
    }

    private static String stateDir(final boolean root, final Map<String, String> env)
    {
        final String service = serviceDir(env.get("STATE_DIRECTORY"), root, SYSTEM_STATE_DIR);
        if (null != service)
        {
            return service;
        }
        final String xdg = env.get("XDG_STATE_HOME");
        if (null != xdg && xdg.startsWith("/"))
        {
            return Path.of(xdg, "vplane").toString();
        }
        return Path.of(System.getProperty("user.home"), ".local", "state", "vplane").toString();
    }

    /** The directory systemd gave the service, else the system's as root, else {@code null} (a user's). */
    private static String serviceDir(final String systemdList, final boolean root, final String systemDir)
    {
        final String systemd = firstOf(systemdList);
        return null != systemd ? systemd : root ? systemDir : null;
    }

    /** systemd joins several directories with ':'; the service's own comes first. */
    private static String firstOf(final String list)
    {
        if (null == list || list.isEmpty())
        {
            return null;
        }
        final int colon = list.indexOf(':');
        final String first = colon < 0 ? list : list.substring(0, colon);
        return first.startsWith("/") ? first : null;
    }
}
