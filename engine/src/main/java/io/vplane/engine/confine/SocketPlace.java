package io.vplane.engine.confine;

import io.vplane.engine.linux.Errno;
import io.vplane.engine.linux.FileAt;
import io.vplane.engine.linux.FileIo;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Where a Unix socket is bound: its directory held by a descriptor, reached from {@code /} with no
 * link in any component (openat2, RESOLVE_NO_SYMLINKS; the path was confined beneath a real
 * directory, so it has none). A socket cannot be opened with openat, so bind(2) is given
 * {@code /proc/self/fd/DIRFD/NAME}: the magic link names the directory already held, and the
 * socket lands there even if a component of the path is swapped meanwhile. The stale check and
 * unlink go through the same descriptor ({@link StaleSocket#removeIfStale(int, String, Path)}).
 */
public final class SocketPlace implements AutoCloseable
{
    private final Path path;
    private final int dirFd;
    private final String name;

    private SocketPlace(final Path path, final int dirFd)
    {
        this.path = path;
        this.dirFd = dirFd;
        this.name = path.getFileName().toString();
    }

    /** @param socketPath an absolute socket path, already confined (its directory must exist) */
    public static SocketPlace open(final Path socketPath) throws IOException
    {
        final Path path = socketPath.toAbsolutePath().normalize();
        final Path parent = path.getParent();
        final int dirFd;
        if (FileAt.openat2().isAvailable())
        {
            final int rootFd = FileAt.openDirectory("/");
            try
            {
                dirFd = parent.getNameCount() == 0 ? FileIo.dup(rootFd) :
                    FileAt.openBeneath(rootFd, Path.of("/").relativize(parent).toString(), FileAt.O_PATH | FileAt.O_DIRECTORY, 0);
            }
            finally
            {
                FileIo.close(rootFd);
            }
        }
        else
        {
            dirFd = FileAt.openDirectory(parent.toString());
        }
        if (dirFd < 0)
        {
            throw new IOException("socket directory " + parent + ": " +
                (dirFd == -Errno.ELOOP ? "passes through a symbolic link; refused" : Errno.describe(-dirFd)));
        }
        return new SocketPlace(path, dirFd);
    }

    /** The name to bind or connect to: the socket's name inside the held directory. */
    public String bindName()
    {
        return "/proc/self/fd/" + dirFd + "/" + name;
    }

    public Path path()
    {
        return path;
    }

    /** @throws IOException when the name exists and is not a stale socket of the daemon's user */
    public void removeIfStale() throws IOException
    {
        StaleSocket.removeIfStale(dirFd, name, path);
    }

    @Override
    public void close()
    {
        FileIo.close(dirFd);
    }
}
