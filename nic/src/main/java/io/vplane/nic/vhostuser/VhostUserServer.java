package io.vplane.nic.vhostuser;

import io.vplane.engine.errors.ErrorLog;
import io.vplane.nic.posix.Posix;
import org.agrona.concurrent.status.AtomicCounter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Server mode: listens on a Unix socket path and serves one frontend at a time on its own
 * control thread (a second frontend waits in the listen backlog). When the frontend goes away the
 * session stops its rings and releases its memory and fds, and the server accepts the next one.
 * The control thread never runs data-path work.
 */
public final class VhostUserServer implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(VhostUserServer.class);
    private static final int POLL_MS = 100;

    private final String name;
    private final Path socketPath;
    private final VhostUserDevice device;
    private final ErrorLog errors;
    private final AtomicCounter protocolErrors;
    private final AtomicCounter connections;
    private final Thread thread;
    private int listenFd = -1;
    private volatile boolean running;
    private volatile boolean connected;

    public VhostUserServer(
        final String name,
        final Path socketPath,
        final VhostUserDevice device,
        final ErrorLog errors,
        final AtomicCounter protocolErrors,
        final AtomicCounter connections)
    {
        this.name = name;
        this.socketPath = socketPath;
        this.device = device;
        this.errors = errors;
        this.protocolErrors = protocolErrors;
        this.connections = connections;
        this.thread = new Thread(this::run, "vplane-vhost-" + name);
        this.thread.setDaemon(true);
    }

    /** Binds the socket (replacing a stale one) and starts the control thread. */
    public synchronized void start()
    {
        try
        {
            Files.deleteIfExists(socketPath);
            if (null != socketPath.getParent())
            {
                Files.createDirectories(socketPath.getParent());
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("vhost-user port " + name + ": cannot prepare " + socketPath, ex);
        }
        final int fd = Posix.socket(Posix.AF_UNIX, Posix.SOCK_STREAM | Posix.SOCK_CLOEXEC, 0);
        if (fd < 0)
        {
            throw new IllegalStateException("vhost-user port " + name + ": socket: " + Posix.describe(-fd));
        }
        try (Arena arena = Arena.ofConfined())
        {
            final int bound = Posix.bind(fd, Posix.sockaddrUnix(arena, socketPath.toString()));
            final int listening = bound < 0 ? bound : Posix.listen(fd, 4);
            if (listening < 0)
            {
                Posix.close(fd);
                throw new IllegalStateException("vhost-user port " + name + ": cannot listen on " + socketPath + ": " +
                    Posix.describe(-listening));
            }
        }
        listenFd = fd;
        running = true;
        thread.start();
        LOG.info("vhost-user port {} listening on {}", name, socketPath);
    }

    public boolean isConnected()
    {
        return connected;
    }

    @Override
    public void close()
    {
        running = false;
        if (thread.isAlive())
        {
            try
            {
                thread.join(5_000);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (this)
        {
            Posix.close(listenFd);
            listenFd = -1;
        }
        try
        {
            Files.deleteIfExists(socketPath);
        }
        catch (final IOException ignore)
        {
            // the path is only a rendezvous; a leftover is replaced at the next start
        }
    }

    private void run()
    {
        try (Arena arena = Arena.ofConfined())
        {
            final VhostUserMessage message = new VhostUserMessage(arena);
            while (running)
            {
                if (Posix.pollIn(listenFd, POLL_MS) <= 0)
                {
                    continue;
                }
                final int fd = Posix.accept(listenFd);
                if (fd < 0)
                {
                    continue;
                }
                connections.incrementRelease();
                serve(fd, message);
            }
        }
        catch (final RuntimeException ex)
        {
            errors.record(VhostUserSession.COMPONENT, "control-thread", name + ": " + ex);
        }
    }

    private void serve(final int fd, final VhostUserMessage message)
    {
        final String peer = name + " (" + socketPath + ")";
        LOG.info("vhost-user port {}: frontend connected", name);
        connected = true;
        try (VhostUserConnection connection = new VhostUserConnection(fd);
             VhostUserSession session = new VhostUserSession(peer, device, errors, protocolErrors))
        {
            while (running)
            {
                if (!connection.awaitReadable(POLL_MS))
                {
                    continue;
                }
                final VhostUserConnection.Received received = connection.receive(message);
                if (received != VhostUserConnection.Received.MESSAGE)
                {
                    if (received != VhostUserConnection.Received.CLOSED)
                    {
                        protocolErrors.incrementRelease();
                        errors.record(VhostUserSession.COMPONENT, "receive", peer + ": " + received + "; closing the connection");
                    }
                    break;
                }
                try
                {
                    if (session.handle(message, connection) == VhostUserSession.Outcome.CLOSE)
                    {
                        break;
                    }
                }
                catch (final RuntimeException ex)
                {
                    protocolErrors.incrementRelease();
                    errors.record(VhostUserSession.COMPONENT, "handler", peer + ": " +
                        VhostUserRequest.name(message.request()) + " failed: " + ex + "; closing the connection");
                    break;
                }
            }
            message.closeFds(Posix::close);
        }
        finally
        {
            connected = false;
            LOG.info("vhost-user port {}: frontend disconnected", name);
        }
    }
}
