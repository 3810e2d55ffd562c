package io.vplane.vsock.control;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * A runtime's per-target settings ({@code memory}, {@code storage}) in {@code DIR/t.properties},
 * replaced atomically, so a restarted agent creates new containers alike; and the checks every
 * runtime makes on what the host sends.
 */
final class TargetLimits
{
    /** A target becomes part of container ids, file names and cgroup paths: no dots, slashes or spaces. */
    private static final Pattern TARGET = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    static final long MAX_COUNT = 1_000;

    private final Path dir;

    TargetLimits(final Path dir) throws IOException
    {
        this.dir = Files.createDirectories(dir);
    }

    /** {@code key}'s value for {@code target}, or {@code otherwise} when none was set. */
    long get(final String target, final String key, final long otherwise)
    {
        return Long.parseLong(load(target).getProperty(key, Long.toString(otherwise)));
    }

    void save(final String target, final String key, final long value)
    {
        final Properties limits = load(target);
        limits.setProperty(key, Long.toString(value));
        final Path file = dir.resolve(target + ".properties");
        final Path next = dir.resolve(target + ".properties.next");
        try
        {
            try (var out = Files.newOutputStream(next))
            {
                limits.store(out, null);
            }
            Files.move(next, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("target " + target + ": cannot write " + file + ": " + ex.getMessage(), ex);
        }
    }

    private Properties load(final String target)
    {
        final Properties limits = new Properties();
        final Path file = dir.resolve(target + ".properties");
        if (Files.exists(file))
        {
            try (var in = Files.newInputStream(file))
            {
                limits.load(in);
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("target " + target + ": cannot read " + file + ": " + ex.getMessage(), ex);
            }
        }
        return limits;
    }

    static void checkTarget(final String target)
    {
        if (!TARGET.matcher(target).matches())
        {
            throw new IllegalArgumentException("target '" + target + "' is not 1..64 of A-Z a-z 0-9 _ -");
        }
    }

    static void checkCount(final long count)
    {
        if (count < 0 || count > MAX_COUNT)
        {
            throw new IllegalArgumentException("count " + count + " is not in 0.." + MAX_COUNT);
        }
    }

    static void checkAtLeast(final String what, final long bytes, final long min)
    {
        if (bytes < min)
        {
            throw new IllegalArgumentException(what + " of " + bytes + " bytes; at least " + min);
        }
    }
}
