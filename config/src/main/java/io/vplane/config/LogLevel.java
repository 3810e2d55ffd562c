package io.vplane.config;

/** Root log level of the daemon, spelled in YAML in any case. */
public enum LogLevel
{
    ERROR,
    WARN,
    INFO,
    DEBUG,
    TRACE
}
