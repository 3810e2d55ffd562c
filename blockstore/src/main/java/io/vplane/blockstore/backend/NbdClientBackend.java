package io.vplane.blockstore.backend;

import io.vplane.blockstore.nbd.NbdProtocol;
import io.vplane.blockstore.request.BlockCompletions;
import io.vplane.blockstore.request.BlockError;
import io.vplane.blockstore.request.BlockFlags;
import io.vplane.blockstore.request.BlockOp;
import io.vplane.blockstore.request.BlockRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * A disk kept on another NBD server ({@code nbd://host:port/export}): vplane as an NBD client,
 * proxying each request. Asynchronous: a disk queue's worker submits requests through its
 * {@link BackendChannel} and goes on; the replies come back through a {@link BlockCompletions}.
 * Each queue has a connection of its own when the server promises multi-conn consistency
 * (NBD_FLAG_CAN_MULTI_CONN), else all queues share one, so a FLUSH covers every write. A request
 * not answered within the timeout fails with EIO, with every other request on its connection,
 * and the connection is opened again in the background.
 */
public final class NbdClientBackend implements AsyncStorageBackend
{
    /** How long a request may wait for the remote server before it fails with EIO (the Linux nbd driver's default too). */
    public static final long DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
    /** A connection that could not be opened is not tried again sooner than this. */
    private static final long RECONNECT_PAUSE_NS = TimeUnit.SECONDS.toNanos(1);
    private static final Logger LOG = LoggerFactory.getLogger(NbdClientBackend.class);

    /** The port of an nbd:// URI that names none (IANA, NBD proto.md). */
    public static final int DEFAULT_PORT = 10809;

    private final String host;
    private final int port;
    private final String export;
    private final long requestTimeoutMs;
    private final long sizeBytes;
    private final int flags;
    /** Every channel's connection when the server is not multi-conn consistent; blocking calls use it too. */
    private final Link shared;
    private final List<Link> links = new CopyOnWriteArrayList<>();
    /** With multi-conn, the first queue uses the connection opened with the backend. */
    private final AtomicBoolean sharedClaimed = new AtomicBoolean();
    private volatile boolean closed;

    private NbdClientBackend(
        final String host, final int port, final String export, final long requestTimeoutMs,
        final RemoteNbdConnection first)
    {
        this.host = host;
        this.port = port;
        this.export = export;
        this.requestTimeoutMs = requestTimeoutMs;
        this.sizeBytes = first.sizeBytes;
        this.flags = first.transmissionFlags;
        this.shared = new Link(first);
    }

    /** Longest request timeout a disk's URI may ask for. */
    private static final long MAX_REQUEST_TIMEOUT_MS = 600_000;

    /**
     * @param uri {@code nbd://host[:port]/export[?timeoutMs=N]}; the export name may be empty, and
     *            {@code timeoutMs} (1 to 600000, default {@link #DEFAULT_REQUEST_TIMEOUT_MS}) sets how long a
     *            request may wait for the server: the disk's {@code image} setting carries it
     */
    public static NbdClientBackend open(final String uri) throws IOException
    {
        final String query = URI.create(uri).getRawQuery();
        long timeoutMs = DEFAULT_REQUEST_TIMEOUT_MS;
        if (null != query)
        {
            if (!query.matches("timeoutMs=[0-9]{1,6}"))
            {
                throw new IOException("the only query an nbd:// image takes is timeoutMs=N (milliseconds): " + uri);
            }
            timeoutMs = Long.parseLong(query.substring("timeoutMs=".length()));
            if (timeoutMs < 1 || timeoutMs > MAX_REQUEST_TIMEOUT_MS)
            {
                throw new IOException("timeoutMs must be 1 to " + MAX_REQUEST_TIMEOUT_MS + ": " + uri);
            }
        }
        return open(uri, timeoutMs);
    }

    /**
     * @param uri              {@code nbd://host[:port]/export}; the export name may be empty
     * @param requestTimeoutMs how long a request (and the handshake) may wait for the server
     */
    public static NbdClientBackend open(final String uri, final long requestTimeoutMs) throws IOException
    {
        if (requestTimeoutMs <= 0)
        {
            throw new IllegalArgumentException("requestTimeoutMs must be positive: " + requestTimeoutMs);
        }
        final URI parsed = URI.create(uri);
        if (!"nbd".equals(parsed.getScheme()) || null == parsed.getHost())
        {
            throw new IOException("not an nbd://host[:port]/export URI: " + uri);
        }
        final int port = parsed.getPort() < 0 ? DEFAULT_PORT : parsed.getPort();
        final String path = null == parsed.getPath() ? "" : parsed.getPath();
        final String export = path.startsWith("/") ? path.substring(1) : path;
        return new NbdClientBackend(parsed.getHost(), port, export, requestTimeoutMs,
            RemoteNbdConnection.open(parsed.getHost(), port, export, requestTimeoutMs));
    }

    public static boolean isUri(final String image)
    {
        return image.startsWith("nbd://");
    }

    @Override
    public long sizeBytes()
    {
        return sizeBytes;
    }

    /**
     * Called when a disk queue is set up (control thread): a queue's own connection is opened now,
     * so its first request does not find it missing; if the server cannot be reached it is tried
     * again in the background on first use.
     */
    @Override
    public BackendChannel openChannel()
    {
        if (0 == (flags & NbdProtocol.TFLAG_CAN_MULTI_CONN) || sharedClaimed.compareAndSet(false, true))
        {
            return new Channel(shared);
        }
        final Link own = new Link(null);
        own.reopen();
        return new Channel(own);
    }

    /** One disk queue's requests: on its own connection, or the shared one. */
    private final class Channel implements BackendChannel
    {
        private final Link link;

        Channel(final Link link)
        {
            this.link = link;
        }

        @Override
        public boolean submit(final BlockRequest request, final ByteBuffer[] data, final BlockCompletions done)
        {
            final RemoteNbdConnection connection = link.connection();
            if (null == connection)
            {
                done.completed(request, BlockError.IO); // the server is unreachable now: fail fast, not wait
                return true;
            }
            return connection.submit(request, data, done);
        }

        @Override
        public int capacity()
        {
            return RemoteNbdConnection.SLOTS;
        }

        @Override
        public void close()
        {
            if (link != shared)
            {
                link.close();
            }
        }
    }

    /** A connection that is opened again, in the background, once it broke. */
    private final class Link
    {
        private volatile RemoteNbdConnection current;
        private final AtomicBoolean opening = new AtomicBoolean();
        private volatile long nextAttemptNs = System.nanoTime();

        Link(final RemoteNbdConnection first)
        {
            current = first;
            links.add(this);
        }

        /** @return the connection, or null while it is being (re)opened */
        RemoteNbdConnection connection()
        {
            final RemoteNbdConnection connection = current;
            if (null != connection && !connection.broken())
            {
                return connection;
            }
            if (!closed && System.nanoTime() - nextAttemptNs >= 0 && opening.compareAndSet(false, true))
            {
                Thread.ofVirtual().name("nbd-client-connect " + host + ":" + port).start(this::reopen);
            }
            return null;
        }

        private void reopen()
        {
            try
            {
                final RemoteNbdConnection fresh = RemoteNbdConnection.open(host, port, export, requestTimeoutMs);
                final RemoteNbdConnection old = current;
                current = fresh;
                if (closed)
                {
                    fresh.close();
                }
                if (null != old)
                {
                    old.close();
                }
            }
            catch (final IOException ex)
            {
                nextAttemptNs = System.nanoTime() + RECONNECT_PAUSE_NS;
                LOG.warn("{}", ex.getMessage());
            }
            finally
            {
                opening.set(false);
            }
        }

        void close()
        {
            final RemoteNbdConnection connection = current;
            if (null != connection)
            {
                connection.close();
            }
        }
    }

    @Override
    public void read(final long offset, final ByteBuffer dst) throws IOException
    {
        check(call(BlockOp.READ, 0, offset, dst.remaining(), dst), BlockOp.READ);
        dst.position(dst.limit());
    }

    @Override
    public void write(final long offset, final ByteBuffer src) throws IOException
    {
        check(call(BlockOp.WRITE, 0, offset, src.remaining(), src), BlockOp.WRITE);
        src.position(src.limit());
    }

    @Override
    public void flush() throws IOException
    {
        check(call(BlockOp.FLUSH, 0, 0, 0, null), BlockOp.FLUSH);
    }

    @Override
    public void trim(final long offset, final long length) throws IOException
    {
        check(call(BlockOp.TRIM, 0, offset, length, null), BlockOp.TRIM);
    }

    @Override
    public int writeZeroes(final long offset, final long length, final boolean mayPunch, final boolean fastOnly)
        throws IOException
    {
        final BlockError error = call(BlockOp.WRITE_ZEROES,
            (mayPunch ? 0 : BlockFlags.NO_HOLE) | (fastOnly ? BlockFlags.FAST_ZERO : 0), offset, length, null);
        if (BlockError.NOT_SUPPORTED == error && fastOnly)
        {
            return NOT_FAST;
        }
        check(error, BlockOp.WRITE_ZEROES);
        return ZEROED;
    }

    /** Holes are not tracked through the proxy: everything reads as data. */
    @Override
    public long nextData(final long offset)
    {
        return offset;
    }

    @Override
    public long nextHole(final long offset)
    {
        return sizeBytes;
    }

    @Override
    public long holeGeneration()
    {
        return 0;
    }

    @Override
    public void close()
    {
        closed = true;
        links.forEach(Link::close);
    }

    /**
     * A request from a thread that may wait (the control thread flushing a disk it closes), on the
     * shared connection, bounded by the request timeout.
     */
    private BlockError call(final BlockOp op, final int requestFlags, final long offset, final long length,
        final ByteBuffer data) throws IOException
    {
        final Waiter waiter = new Waiter();
        final BlockRequest request = new BlockRequest(null).set(op, requestFlags, 0, offset, length, System.nanoTime());
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(requestTimeoutMs);
        final ByteBuffer[] pieces = null == data ? null : new ByteBuffer[] {data};
        while (true)
        {
            final RemoteNbdConnection connection = shared.connection();
            if (null != connection && connection.submit(request, pieces, waiter))
            {
                break;
            }
            if (System.nanoTime() - deadline > 0)
            {
                throw new IOException("NBD server " + host + ":" + port + ": no connection within " + requestTimeoutMs + " ms");
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
        // The connection itself fails the request once it is overdue; this wait ends then at the latest.
        while (null == waiter.error)
        {
            LockSupport.park(waiter);
        }
        return waiter.error;
    }

    private void check(final BlockError error, final BlockOp op) throws IOException
    {
        if (BlockError.NONE != error)
        {
            throw new IOException("remote " + op + " failed with error " + error.errno());
        }
    }

    /** Wakes the thread waiting in {@link #call}. */
    private static final class Waiter implements BlockCompletions
    {
        private final Thread thread = Thread.currentThread();
        volatile BlockError error;

        @Override
        public void completed(final BlockRequest request, final BlockError outcome)
        {
            error = outcome;
            LockSupport.unpark(thread);
        }
    }
}
