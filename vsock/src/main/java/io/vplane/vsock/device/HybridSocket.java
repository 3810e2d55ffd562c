package io.vplane.vsock.device;

import io.vplane.engine.confine.SocketPlace;
import io.vplane.engine.linux.Errno;
import io.vplane.engine.linux.FileIo;
import io.vplane.engine.linux.SockaddrUn;
import io.vplane.engine.linux.Sockets;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The host side of a vsock device in the hybrid form of Firecracker and Cloud Hypervisor: a Unix
 * socket {@code udsPath} host programs connect to (then {@code CONNECT <port>}), and for a guest
 * that connects to host port P, the socket {@code udsPath_P} some host program listens on. Both
 * are reached through the directory held by descriptor ({@link SocketPlace}), non-blocking, so
 * the worker never waits on them.
 */
final class HybridSocket implements AutoCloseable
{
    private static final int BACKLOG = 64;

    private final Path path;
    private final SocketPlace place;
    private final int listenFd;

    private HybridSocket(final Path path, final SocketPlace place, final int listenFd)
    {
        this.path = path;
        this.place = place;
        this.listenFd = listenFd;
    }

    /** Binds {@code path} (replacing a stale socket of ours) and listens. */
    static HybridSocket listen(final String device, final Path path)
    {
        SocketPlace place = null;
        try
        {
            if (null != path.toAbsolutePath().getParent())
            {
                Files.createDirectories(path.toAbsolutePath().getParent());
            }
            place = SocketPlace.open(path);
            place.removeIfStale();
        }
        catch (final IOException ex)
        {
            if (null != place)
            {
                place.close();
            }
            throw new UncheckedIOException("vsock device " + device + ": cannot prepare " + path + ": " + ex.getMessage(), ex);
        }
        final int fd = Sockets.socket(Sockets.AF_UNIX, Sockets.SOCK_STREAM | Sockets.SOCK_CLOEXEC | Sockets.SOCK_NONBLOCK, 0);
        if (fd < 0)
        {
            place.close();
            throw new IllegalStateException("vsock device " + device + ": socket: " + Errno.describe(-fd));
        }
        try (Arena arena = Arena.ofConfined())
        {
            final int bound = Sockets.bind(fd, SockaddrUn.of(arena, place.bindName()));
            final int listening = bound < 0 ? bound : Sockets.listen(fd, BACKLOG);
            if (listening < 0)
            {
                FileIo.close(fd);
                place.close();
                throw new IllegalStateException("vsock device " + device + ": cannot listen on " + path + ": " +
                    Errno.describe(-listening));
            }
        }
        return new HybridSocket(path, place, fd);
    }

    int listenFd()
    {
        return listenFd;
    }

    Path path()
    {
        return path;
    }

    /** @return a non-blocking connected socket, or {@code -errno} (EAGAIN: nothing waiting) */
    int accept()
    {
        final int fd = Sockets.accept(listenFd);
        if (fd >= 0)
        {
            final int rc = FileIo.setNonBlocking(fd);
            if (rc < 0)
            {
                FileIo.close(fd);
                return rc;
            }
        }
        return fd;
    }

    /**
     * Connects to {@code udsPath_port}, where a host program listens for the guest's connections to
     * that port. A full backlog (EAGAIN) counts as refused: the worker does not wait.
     *
     * @return a non-blocking connected socket, or {@code -errno}
     */
    int connectToPort(final int port)
    {
        final int fd = Sockets.socket(Sockets.AF_UNIX, Sockets.SOCK_STREAM | Sockets.SOCK_CLOEXEC | Sockets.SOCK_NONBLOCK, 0);
        if (fd < 0)
        {
            return fd;
        }
        try (Arena arena = Arena.ofConfined())
        {
            final int rc = Sockets.connect(fd, SockaddrUn.of(arena, place.bindName() + "_" + Integer.toUnsignedString(port)));
            if (rc < 0)
            {
                FileIo.close(fd);
                return rc;
            }
        }
        return fd;
    }

    @Override
    public void close()
    {
        FileIo.close(listenFd);
        try
        {
            place.removeIfStale();
        }
        catch (final IOException ignore)
        {
            // only a rendezvous; a leftover is replaced at the next start
        }
        place.close();
    }
}
