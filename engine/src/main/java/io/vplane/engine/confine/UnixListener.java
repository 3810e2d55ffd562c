package io.vplane.engine.confine;

import io.vplane.engine.linux.Errno;
import io.vplane.engine.linux.FileIo;
import io.vplane.engine.linux.SockaddrUn;
import io.vplane.engine.linux.Sockets;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;

/**
 * A listening Unix stream socket, the one way the daemon serves a socket path: the vhost-user ports
 * accept on it themselves (with recvmsg for their fds), the management API hands it to Netty. It is
 * bound in its directory held by a descriptor ({@link SocketPlace}), after a stale socket of the
 * daemon's user is removed and anything else refused; it is non-blocking, as an epoll loop that
 * accepts until EAGAIN needs, and closed on exec. Closing it removes the socket file through the
 * same directory.
 */
public final class UnixListener implements AutoCloseable
{
    private final SocketPlace place;
    /** The listening socket while this object owns it, else -1. */
    private int fd;
    private boolean closed;

    private UnixListener(final SocketPlace place, final int fd)
    {
        this.place = place;
        this.fd = fd;
    }

    /**
     * @param socketPath an absolute socket path, already confined (its directory must exist)
     * @param backlog    connections the kernel queues before one is accepted
     * @throws IOException when the path is taken by something else than a stale socket of ours, or bind/listen fail
     */
    public static UnixListener bind(final Path socketPath, final int backlog) throws IOException
    {
        final SocketPlace place = SocketPlace.open(socketPath);
        try
        {
            place.removeIfStale();
            final int fd = Sockets.socket(Sockets.AF_UNIX, Sockets.SOCK_STREAM | Sockets.SOCK_CLOEXEC | Sockets.SOCK_NONBLOCK, 0);
            if (fd < 0)
            {
                throw new IOException("socket: " + Errno.describe(-fd));
            }
            final int listening;
            try (Arena arena = Arena.ofConfined())
            {
                final int bound = Sockets.bind(fd, SockaddrUn.of(arena, place.bindName()));
                listening = bound < 0 ? bound : Sockets.listen(fd, backlog);
            }
            if (listening < 0)
            {
                FileIo.close(fd);
                throw new IOException("cannot listen on " + place.path() + ": " + Errno.describe(-listening));
            }
            return new UnixListener(place, fd);
        }
        catch (final IOException | RuntimeException ex)
        {
            place.close();
            throw ex;
        }
    }

    public Path path()
    {
        return place.path();
    }

    /** The listening socket; this object still owns it. */
    public synchronized int fd()
    {
        return fd;
    }

    /**
     * Gives the listening socket to a caller that closes it itself (a Netty channel); {@link #close()}
     * then only removes the socket file, and must come after the caller closed the socket.
     */
    public synchronized int handOver()
    {
        final int handed = fd;
        fd = -1;
        return handed;
    }

    /** Closes the socket (unless handed over) and removes its file if nothing listens on it any more. */
    @Override
    public synchronized void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        if (fd >= 0)
        {
            FileIo.close(fd);
            fd = -1;
        }
        try
        {
            place.removeIfStale();
        }
        catch (final IOException ex)
        {
            // Left behind: the path is only a rendezvous and the next bind replaces it.
        }
        place.close();
    }
}
