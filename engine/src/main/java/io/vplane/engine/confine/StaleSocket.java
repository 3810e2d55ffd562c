package io.vplane.engine.confine;

import io.vplane.engine.linux.Errno;
import io.vplane.engine.linux.FileAt;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/**
 * Clears the way to bind a Unix socket: the only unlink the daemon does on a path it was given. A
 * path is removed only when it is a socket (not a symbolic link, not a file), owned by the daemon's
 * user, and nobody listens on it any more; anything else is refused, so naming a file as a socket
 * path never deletes it.
 */
public final class StaleSocket
{
    private StaleSocket()
    {
    }

    /**
     * Removes {@code name} in the directory {@code dirFd} if it is a stale socket of ours: checked with fstatat(2)
     * (AT_SYMLINK_NOFOLLOW), probed and removed with unlinkat(2) through that descriptor, so the
     * entry checked is the entry removed.
     *
     * @param shown the path, for messages
     * @throws IOException when the name exists and is not a stale socket of the daemon's user
     */
    public static void removeIfStale(final int dirFd, final String name, final Path shown) throws IOException
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment stat = arena.allocate(FileAt.STAT_BYTES, 8);
            final int statted = FileAt.stat(dirFd, name, stat);
            if (statted == -Errno.ENOENT)
            {
                return;
            }
            if (statted < 0)
            {
                throw new IOException("cannot stat " + shown + ": " + Errno.describe(-statted));
            }
            if ((FileAt.statMode(stat) & FileMode.TYPE_MASK) != FileMode.SOCKET)
            {
                throw new IOException(shown + " exists and is not a socket; refusing to replace it");
            }
            if (FileAt.statUid(stat) != DaemonUser.uid())
            {
                throw new IOException(shown + " is not a socket of this daemon's user; refusing to replace it");
            }
        }
        if (isListenedOn(Path.of("/proc/self/fd/" + dirFd + "/" + name)))
        {
            throw new IOException(shown + " is in use by a running process");
        }
        final int unlinked = FileAt.unlink(dirFd, name);
        if (unlinked < 0 && unlinked != -Errno.ENOENT)
        {
            throw new IOException("cannot remove " + shown + ": " + Errno.describe(-unlinked));
        }
    }

    private static boolean isListenedOn(final Path path) throws IOException
    {
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX))
        {
            probe.connect(UnixDomainSocketAddress.of(path));
            return true;
        }
        catch (final ConnectException ex)
        {
            return false;
        }
    }
}
