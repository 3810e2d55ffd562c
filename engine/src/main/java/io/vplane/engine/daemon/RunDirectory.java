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
    public static final String MANAGEMENT_SOCKET = "management.sock";

    public Path pidFile()
    {
        return dir.resolve(PID_FILE);
    }

    public Path lockFile()
    {
        return dir.resolve(LOCK_FILE);
    }

    /** The management API's Unix socket, where it listens by default. */
    public Path managementSocket()
    {
        return dir.resolve(MANAGEMENT_SOCKET);
    }

    /** The management socket as a {@code ManagementClient} takes it: {@code unix:PATH}. */
    public String managementSocketUrl()
    {
        return "unix:" + managementSocket();
    }

    /** Holds the base URL of the management API's TCP listener, for example {@code http://127.0.0.1:9780}, when it has one. */
    public Path managementUrlFile()
    {
        return dir.resolve(MANAGEMENT_URL_FILE);
    }

    public Path countersFile(final String fileName)
    {
        return dir.resolve(fileName);
    }
}
