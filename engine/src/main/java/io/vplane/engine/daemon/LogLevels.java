package io.vplane.engine.daemon;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import io.vplane.config.LogLevel;
import org.slf4j.LoggerFactory;

/** Sets the root log level of the logging backend (Logback) from the config. */
final class LogLevels
{
    private LogLevels()
    {
    }

    static void applyRootLevel(final LogLevel level)
    {
        if (LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME) instanceof final Logger root)
        {
            root.setLevel(Level.toLevel(level.name(), Level.INFO));
        }
    }
}
