package io.vplane.config;

import org.snakeyaml.engine.v2.exceptions.Mark;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** Gathers the problems of one source so a user sees all of them in one go. */
final class ErrorCollector
{
    private static final Comparator<ConfigError> BY_POSITION =
        Comparator.comparingInt(ConfigError::line).thenComparingInt(ConfigError::column);

    private final String source;
    private final List<ConfigError> errors = new ArrayList<>();

    ErrorCollector(final String source)
    {
        this.source = source;
    }

    /** Snakeyaml marks are 0-based; messages are 1-based like every editor. */
    void add(final Optional<Mark> mark, final String path, final String message)
    {
        final int line = mark.map(m -> m.getLine() + 1).orElse(0);
        final int column = mark.map(m -> m.getColumn() + 1).orElse(0);
        errors.add(new ConfigError(source, line, column, path, message));
    }

    boolean hasErrors()
    {
        return !errors.isEmpty();
    }

    void throwIfAny()
    {
        if (hasErrors())
        {
            // Unknown keys are found after the known ones are read; file order reads better.
            final List<ConfigError> sorted = new ArrayList<>(errors);
            sorted.sort(BY_POSITION);
            throw new ConfigException(source, sorted);
        }
    }
}
