package io.vplane.virtio.vhostuser;

import io.vplane.engine.confine.UnixListener;
import io.vplane.engine.errors.ErrorLog;
import io.vplane.engine.linux.FileIo;
import io.vplane.engine.linux.Poll;
import io.vplane.engine.linux.SockaddrUn;
import io.vplane.engine.linux.Sockets;
import io.vplane.virtio.memory.GuestMemoryLimits;
import org.agrona.concurrent.status.AtomicCounter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The vhost-user channel of one port, on its own control thread. Server mode: listens on a Unix
 * socket path and serves one frontend at a time (a second waits in the listen backlog). Client
 * mode: connects to a frontend that listens (QEMU {@code server=on}, virtio-user {@code server=1})
 * and reconnects with backoff when it goes away or is not there yet. When the frontend goes away
 * the session stops its rings and releases its memory and fds. The control thread never runs
 * data-path work.
 */
public final class VhostUserServer implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(VhostUserServer.class);
    private static final int POLL_MS = 100;
    private static final long RECONNECT_MIN_MS = 50;
    private static final long RECONNECT_MAX_MS = 1_000;

    private final String name;
    private final Path socketPath;
    private final VhostUserDevice device;
    private final ErrorLog errors;
    private final AtomicCounter protocolErrors;
    private final AtomicCounter connections;
    private final Thread thread;
    private final boolean client;
    private final GuestMemoryLimits memoryLimits;
    /** The listening socket in server mode, bound in its held directory; guarded by this. */
    private UnixListener listener;
    private int listenFd = -1;
    private volatile boolean running;
    private volatile boolean connected;

    public VhostUserServer(
        final String name,
        final VhostUserSocket socket,
        final VhostUserDevice device,
        final ErrorLog errors,
        final AtomicCounter protocolErrors,
        final AtomicCounter connections)
    {
        this.memoryLimits = socket.memoryLimits();
        this.name = name;
        this.client = socket.client();
        this.socketPath = socket.path();
        this.device = device;
        this.errors = errors;
        this.protocolErrors = protocolErrors;
        this.connections = connections;
        this.thread = new Thread(this::run, "vplane-vhost-" + name);
        this.thread.setDaemon(true);
    }

    /** Binds the socket (replacing a stale one), or in client mode starts connecting, on the control thread. */
    public synchronized void start()
    {
        if (client)
        {
            running = true;
            thread.start();
            LOG.info("vhost-user port {} connecting to {}", name, socketPath);
            return;
        }
        try
        {
            if (null != socketPath.toAbsolutePath().getParent())
            {
                Files.createDirectories(socketPath.toAbsolutePath().getParent());
            }
            listener = UnixListener.bind(socketPath, 4);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("vhost-user port " + name + ": cannot listen on " + socketPath + ": " + ex.getMessage(), ex);
        }
        listenFd = listener.fd();
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
            if (null != listener)
            {
                listener.close();
                listener = null;
            }
            listenFd = -1;
        }
    }

    private void run()
    {
        try (Arena arena = Arena.ofConfined())
        {
            final VhostUserMessage message = new VhostUserMessage(arena);
            if (client)
            {
                runClient(arena, message);
                return;
            }
            while (running)
            {
                if (Poll.awaitReadable(listenFd, POLL_MS) <= 0)
                {
                    continue;
                }
                final int fd = Sockets.accept(listenFd);
                if (fd < 0)
                {
                    continue;
                }
                connections.incrementRelease();
                serveContained(fd, message);
            }
        }
        catch (final Throwable ex)
        {
            errors.record(VhostUserSession.COMPONENT, "control-thread", name + ": " + ex);
        }
    }

    /** Serves one frontend; whatever it causes ends that connection only, never the control thread. */
    private void serveContained(final int fd, final VhostUserMessage message)
    {
        try
        {
            serve(fd, message);
        }
        catch (final Throwable ex)
        {
            protocolErrors.incrementRelease();
            errors.record(VhostUserSession.COMPONENT, "session", name + ": " + ex + "; connection dropped");
        }
    }

    private void runClient(final Arena arena, final VhostUserMessage message)
    {
        final java.lang.foreign.MemorySegment address = SockaddrUn.of(arena, socketPath.toString());
        long backoffMs = RECONNECT_MIN_MS;
        while (running)
        {
            final int fd = Sockets.socket(Sockets.AF_UNIX, Sockets.SOCK_STREAM | Sockets.SOCK_CLOEXEC, 0);
            if (fd >= 0 && Sockets.connect(fd, address) == 0)
            {
                connections.incrementRelease();
                backoffMs = RECONNECT_MIN_MS;
                serveContained(fd, message);
                continue;
            }
            FileIo.close(fd);
            // the frontend is not listening (yet, or any more): retry with backoff, checking for close
            final long until = System.nanoTime() + backoffMs * 1_000_000L;
            while (running && System.nanoTime() - until < 0)
            {
                java.util.concurrent.locks.LockSupport.parkNanos(10_000_000L);
            }
            backoffMs = Math.min(RECONNECT_MAX_MS, backoffMs * 2);
        }
    }

    private void serve(final int fd, final VhostUserMessage message)
    {
        final String peer = name + " (" + socketPath + ")";
        LOG.info("vhost-user port {}: frontend connected", name);
        connected = true;
        boolean vanished = false;
        try (VhostUserConnection connection = new VhostUserConnection(fd);
             VhostUserSession session = new VhostUserSession(peer, device, errors, protocolErrors, memoryLimits))
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
                    else if (session.runningRings() > 0)
                    {
                        // A frontend that stops on purpose takes its rings back first (GET_VRING_BASE); this one died mid-work.
                        vanished = true;
                        errors.record(VhostUserSession.COMPONENT, "frontend-vanished", peer + ": connection closed with " +
                            session.runningRings() + " rings running; rings stopped, waiting for the next frontend");
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
                catch (final Throwable ex)
                {
                    // anything, a fault on guest memory the frontend shrank included (InternalError):
                    // this frontend is dropped, the port listens on
                    protocolErrors.incrementRelease();
                    errors.record(VhostUserSession.COMPONENT, "handler", peer + ": " +
                        VhostUserRequest.name(message.request()) + " failed: " + ex + "; closing the connection");
                    break;
                }
            }
            message.closeFds(FileIo::close);
        }
        finally
        {
            connected = false;
            if (!vanished)
            {
                LOG.info("vhost-user port {}: frontend disconnected", name);
            }
        }
    }
}
