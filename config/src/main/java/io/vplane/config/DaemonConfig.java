package io.vplane.config;

import java.util.List;

/**
 * @param runDir         directory for the pid file, lock, counters file and sockets; empty: $RUNTIME_DIRECTORY
 *                       under systemd, /run/vplane as root, $XDG_RUNTIME_DIR/vplane otherwise
 * @param drainTimeoutMs how long SIGTERM waits for in-flight work before the daemon exits anyway
 * @param logLevel       root log level
 * @param stateDir       directory for persistent state; empty: $STATE_DIRECTORY under systemd, /var/lib/vplane as root,
 *                       $XDG_STATE_HOME/vplane (or ~/.local/state/vplane) otherwise
 * @param imageDirs      the only directories disk images may live in; empty: stateDir/images
 * @param socketDir      the only directory vhost-user sockets may live in; empty: the run directory
 * @param remoteBackends HOST:PORT pairs remote (nbd://) backends may connect to; empty: none
 * @param housekeeping   the CPUs of the threads that are not pinned workers
 */
public record DaemonConfig(
    String runDir,
    long drainTimeoutMs,
    LogLevel logLevel,
    String stateDir,
    List<String> imageDirs,
    String socketDir,
    List<String> remoteBackends,
    HousekeepingConfig housekeeping)
{
    public DaemonConfig
    {
        imageDirs = List.copyOf(imageDirs);
        remoteBackends = List.copyOf(remoteBackends);
    }

    /** With housekeeping threads kept off the workers' CPUs automatically. */
    public DaemonConfig(final String runDir, final long drainTimeoutMs, final LogLevel logLevel, final String stateDir,
        final List<String> imageDirs, final String socketDir, final List<String> remoteBackends)
    {
        this(runDir, drainTimeoutMs, logLevel, stateDir, imageDirs, socketDir, remoteBackends, HousekeepingConfig.AUTO);
    }
}
