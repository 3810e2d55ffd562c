package io.vplane.engine.daemon;

import io.vplane.config.ConfigException;
import io.vplane.config.ConfigTextEdit;
import io.vplane.engine.device.DeviceKinds;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * Writes one setting the daemon changed by itself (the tuner's queues per worker) back into the
 * config file it was started with, editing just that value in the text so the file's comments and
 * layout stay. The edited text must still load before it replaces the file, atomically.
 */
final class ConfigFileSetting
{
    private ConfigFileSetting()
    {
    }

    /**
     * @param file the daemon's config file, or null when it runs the embedded default
     * @return one line saying what happened, for the operator
     */
    static String writeQueuesPerWorker(final Path file, final DeviceKinds kinds, final String type, final int queuesPerWorker)
    {
        final String setting = "pools." + type + ".queuesPerWorker";
        if (null == file)
        {
            return "applied live only: the daemon runs the embedded default config, there is no file to write " + setting +
                " to (start it with --config FILE to keep the choice)";
        }
        try
        {
            final Path real = file.toRealPath();
            final String before = Files.readString(real);
            final String after = ConfigTextEdit.setScalar(before, List.of("pools", type, "queuesPerWorker"),
                Integer.toString(queuesPerWorker));
            if (after.equals(before))
            {
                return setting + " is already " + queuesPerWorker + " in " + real;
            }
            kinds.parse(after, real.toString());
            final Path temp = real.resolveSibling("." + real.getFileName() + ".tune");
            Files.writeString(temp, after);
            try
            {
                Files.setPosixFilePermissions(temp, Files.getPosixFilePermissions(real));
            }
            catch (final UnsupportedOperationException ignore)
            {
                // not a POSIX file system: the new file keeps the default mode
            }
            Files.move(temp, real, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return "wrote " + setting + ": " + queuesPerWorker + " to " + real + " (the rest of the file unchanged)";
        }
        catch (final IOException | IllegalArgumentException | ConfigException ex)
        {
            return "applied live only: could not write " + setting + " to " + file + ": " + ex.getMessage();
        }
    }
}
