package io.vplane.config;

/**
 * @param runDir         directory for the pid file, lock, counters file and sockets
 * @param drainTimeoutMs how long SIGTERM waits for in-flight work before the daemon exits anyway
 * @param logLevel       root log level
 */
public record DaemonConfig(String runDir, long drainTimeoutMs, LogLevel logLevel)
{
}
