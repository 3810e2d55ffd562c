package io.vplane.engine.daemon;

import java.nio.file.Path;

/**
 * The files a daemon keeps in its run directory. Other processes ({@code vplane stat},
 * {@code vplane ctl}) find the daemon through them.
 */
public record RunDirectory(Path dir)
{
    public static final String PID_FILE = "vplane.pid";
    public static final String LOCK_FILE = "vplane.lock";
    public static final String MANAGEMENT_URL_FILE = "management.url";

    public Path pidFile()
    {
        return dir.resolve(PID_FILE);
    }

    public Path lockFile()
    {
        return dir.resolve(LOCK_FILE);
    }

    /** Holds the base URL of the management API, for example {@code http://127.0.0.1:9780}. */
    public Path managementUrlFile()
    {
        return dir.resolve(MANAGEMENT_URL_FILE);
    }

    public Path countersFile(final String fileName)
    {
        return dir.resolve(fileName);
    }
}
