package io.vplane.config;

import java.io.Serial;
import java.util.List;

/** A configuration could not be loaded; carries every problem found, not just the first. */
public final class ConfigException extends RuntimeException
{
    @Serial
    private static final long serialVersionUID = 1L;

    private final String source;
    private final transient List<ConfigError> errors;

    public ConfigException(final String source, final List<ConfigError> errors)
    {
        super(describe(source, errors));
        this.source = source;
        this.errors = List.copyOf(errors);
    }

    /** A problem with the source as a whole, such as a missing file. */
    public static ConfigException of(final String source, final String message)
    {
        return new ConfigException(source, List.of(new ConfigError(source, 0, 0, "", message)));
    }

    public String source()
    {
        return source;
    }

    public List<ConfigError> errors()
    {
        return errors;
    }

    private static String describe(final String source, final List<ConfigError> errors)
    {
        final StringBuilder sb = new StringBuilder("invalid configuration in ")
            .append(source)
            .append(" (")
            .append(errors.size())
            .append(1 == errors.size() ? " error):" : " errors):");
        for (final ConfigError error : errors)
        {
            sb.append('\n').append(error);
        }
        return sb.toString();
    }
}
