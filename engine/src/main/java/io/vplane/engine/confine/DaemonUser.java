package io.vplane.engine.confine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The user the daemon runs as, the owner every file it trusts in its own directories must have. */
public final class DaemonUser
{
    private static final int UID = readUid();

    private DaemonUser()
    {
    }

    public static int uid()
    {
        return UID;
    }

    public static boolean isRoot()
    {
        return 0 == UID;
    }

    // /proc/self belongs to the process's effective uid (proc(5)).
    private static int readUid()
    {
        try
        {
            return (Integer)Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot tell which user this process runs as", ex);
        }
    }
}
