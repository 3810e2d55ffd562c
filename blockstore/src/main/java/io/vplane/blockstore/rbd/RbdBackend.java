package io.vplane.blockstore.rbd;

import io.vplane.blockstore.backend.AsyncStorageBackend;
import io.vplane.blockstore.backend.BackendChannel;
import io.vplane.blockstore.request.BlockError;
import io.vplane.blockstore.request.BlockRequest;
import io.vplane.engine.errors.ErrorLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A disk kept in a Ceph RBD image ({@code rbd://pool[/namespace]/image[@snap]}), reached through
 * librbd in this process: no kernel block device, no gateway. Asynchronous: each disk queue's
 * worker starts requests through its {@link RbdChannel} and goes on. Errors from the cluster fail
 * the request with the matching NBD error, counted per cause ({@code vplane_errors_total{component="rbd"}})
 * and logged once per repeat window. A connection the cluster shut (this client blocklisted, the
 * connection gone) is opened again in the background with backoff, 1 s doubling up to 30 s; until
 * then requests fail at once with EIO, and {@code ctl disk show} says {@code reconnecting}.
 */
public final class RbdBackend implements AsyncStorageBackend
{
    private static final Logger LOG = LoggerFactory.getLogger(RbdBackend.class);
    private static final long FIRST_BACKOFF_MS = 1_000;
    private static final long MAX_BACKOFF_MS = 30_000;

    private final String disk;
    private final RbdImageUri uri;
    private final boolean readOnly;
    private final Librbd lib;
    private final ErrorLog errors;
    private final RbdErrors counts = new RbdErrors();
    private final long features;
    private volatile long sizeBytes;
    private volatile RbdSession session;
    /** Guarded by this. */
    private String state = "connected";
    private String lastError = "";
    private Instant lastErrorAt;
    private int reconnectAttempts;
    private long reconnects;
    private boolean closed;
    /** A session left open because its requests never completed: librbd may still call back into slot memory. */
    private volatile boolean sessionLeft;
    /** Old sessions being closed in the background after a reconnect. */
    private final AtomicInteger closing = new AtomicInteger();
    private final List<Arena> channelArenas = new ArrayList<>();

    private RbdBackend(final String disk, final RbdImageUri uri, final boolean readOnly, final Librbd lib, final ErrorLog errors,
        final RbdSession first) throws IOException
    {
        this.disk = disk;
        this.uri = uri;
        this.readOnly = readOnly;
        this.lib = lib;
        this.errors = errors;
        this.session = first;
        this.sizeBytes = first.size();
        this.features = first.features();
    }

    /**
     * Loads librbd (first time only), connects and opens the image.
     *
     * @param image    {@code rbd://...}, see {@link RbdImageUri}
     * @param readOnly open without taking the image's lock; writes fail with EPERM (a snapshot always is)
     * @throws IOException when librbd is missing, the cluster cannot be reached in time or the image cannot be opened
     */
    public static RbdBackend open(final String disk, final String image, final boolean readOnly, final ErrorLog errors)
        throws IOException
    {
        final RbdImageUri uri;
        try
        {
            uri = RbdImageUri.parse(image);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IOException(ex.getMessage(), ex);
        }
        final Librbd lib = Librbd.load();
        final boolean ro = readOnly || null != uri.snapshot();
        final RbdSession first = RbdSession.open(lib, uri, ro);
        try
        {
            final RbdBackend backend = new RbdBackend(disk, uri, ro, lib, errors, first);
            LOG.info("disk {}: rbd://{} open, {} bytes, features {} (librbd {}, client {})", disk, uri.spec(), backend.sizeBytes,
                RbdFeatures.names(backend.features), lib.version, first.clientAddress);
            return backend;
        }
        catch (final IOException | RuntimeException ex)
        {
            first.close();
            throw ex;
        }
    }

    @Override
    public long sizeBytes()
    {
        return sizeBytes;
    }

    @Override
    public BackendChannel openChannel()
    {
        return new RbdChannel(this, lib);
    }

    /** The session requests start on, or null while the connection is being opened again. */
    RbdSession session()
    {
        return session;
    }

    /** A request found no connection: it fails at once rather than wait. @return its error */
    BlockError disconnected(final BlockRequest request)
    {
        counts.count(RbdErrors.ENOTCONN);
        errors.record("rbd", "disconnected", disk + ": " + request.op() + " at " + request.offset() + "+" + request.length() +
            ": no connection to the cluster (reconnecting)");
        return BlockError.IO;
    }

    /** A request failed in librbd (any thread): counted, logged once per window. @return the client's error */
    BlockError failed(final BlockRequest request, final int errno, final RbdSession on)
    {
        counts.count(errno);
        final String name = RbdErrors.name(errno);
        errors.record("rbd", name, disk + ": " + request.op() + " at " + request.offset() + "+" + request.length() +
            ": librbd " + name + " (rbd://" + uri.spec() + ")");
        noteError(name);
        if (RbdErrors.connectionLost(errno))
        {
            lost(on, name);
        }
        return RbdErrors.blockError(errno);
    }

    private synchronized void noteError(final String name)
    {
        lastError = name;
        lastErrorAt = Instant.now();
    }

    /** The cluster ended this session: take it out of service and open a new one in the background. */
    private void lost(final RbdSession which, final String why)
    {
        synchronized (this)
        {
            if (closed || which != session)
            {
                return;
            }
            session = null;
            state = "reconnecting";
            reconnectAttempts = 0;
        }
        which.retire();
        LOG.warn("disk {}: lost the connection to the cluster ({}); reconnecting to rbd://{}", disk, why, uri.spec());
        Thread.ofVirtual().name("rbd-reconnect " + disk).start(() -> reconnect(which));
    }

    private void reconnect(final RbdSession old)
    {
        // Closing may wait for the old requests (up to the timeout): the new connection does not wait for it.
        closing.incrementAndGet();
        Thread.ofVirtual().name("rbd-close " + disk).start(() ->
        {
            closeWhenIdle(old);
            closing.decrementAndGet();
        });
        long backoffMs = FIRST_BACKOFF_MS;
        while (true)
        {
            synchronized (this)
            {
                if (closed)
                {
                    return;
                }
                reconnectAttempts++;
            }
            try
            {
                final RbdSession fresh = RbdSession.open(lib, uri, readOnly);
                synchronized (this)
                {
                    if (closed)
                    {
                        fresh.close();
                        return;
                    }
                    sizeBytes = fresh.size();
                    session = fresh;
                    state = "connected";
                    reconnects++;
                }
                LOG.info("disk {}: reconnected to rbd://{} (client {})", disk, uri.spec(), fresh.clientAddress);
                return;
            }
            catch (final IOException | RuntimeException ex)
            {
                noteError(ex.getMessage());
                LOG.warn("disk {}: reconnecting failed, next try in {} ms: {}", disk, backoffMs, ex.getMessage());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(backoffMs));
            backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
        }
    }

    /**
     * Closes a session once its requests have completed (librbd fails them within the timeout at
     * the latest). One that stays busy past twice the timeout is left open, with its memory: closing
     * it under a request would let librbd write into freed memory.
     *
     * @return whether it was closed
     */
    private boolean closeWhenIdle(final RbdSession old)
    {
        old.retire();
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2 * uri.timeoutMs());
        while (!old.idle())
        {
            if (System.nanoTime() - deadline > 0)
            {
                LOG.warn("disk {}: requests on the old connection to rbd://{} did not complete; leaving it open", disk, uri.spec());
                sessionLeft = true;
                return false;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
        old.close();
        return true;
    }

    /** A queue's channel is closed: its slot memory goes with the backend's session (now, if that is closed). */
    void closeWithSession(final Arena arena)
    {
        synchronized (this)
        {
            if (!closed || sessionLeft)
            {
                channelArenas.add(arena);
                return;
            }
        }
        arena.close();
    }

    @Override
    public void read(final long offset, final ByteBuffer dst) throws IOException
    {
        final int length = dst.remaining();
        final long rc = blocking("rbd_read", (s, buf) -> (long)lib.rbdRead.invokeExact(s.image, offset, (long)length, buf), dst);
        dst.position(dst.position() + (int)Math.min(rc, length));
    }

    @Override
    public void write(final long offset, final ByteBuffer src) throws IOException
    {
        final int length = src.remaining();
        blocking("rbd_write", (s, buf) -> (long)lib.rbdWrite.invokeExact(s.image, offset, (long)length, buf), src);
        src.position(src.limit());
    }

    @Override
    public void flush() throws IOException
    {
        blocking("rbd_flush", (s, buf) -> (long)(int)lib.rbdFlush.invokeExact(s.image), null);
    }

    @Override
    public void trim(final long offset, final long length) throws IOException
    {
        blocking("rbd_discard", (s, buf) -> (long)(int)lib.rbdDiscard.invokeExact(s.image, offset, length), null);
    }

    @Override
    public int writeZeroes(final long offset, final long length, final boolean mayPunch, final boolean fastOnly) throws IOException
    {
        if (!mayPunch && fastOnly)
        {
            return NOT_FAST;
        }
        final int zeroFlags = mayPunch ? 0 : 1; // RBD_WRITE_ZEROES_FLAG_THICK_PROVISION when no hole may be made
        blocking("rbd_write_zeroes", (s, buf) -> (long)lib.rbdWriteZeroes.invokeExact(s.image, offset, length, zeroFlags, 0), null);
        return ZEROED;
    }

    /** Data where the object map says objects exist; everything is data when the image has no valid fast-diff map. */
    @Override
    public long nextData(final long offset) throws IOException
    {
        return scan(false, offset);
    }

    @Override
    public long nextHole(final long offset) throws IOException
    {
        return scan(true, offset);
    }

    private long scan(final boolean hole, final long offset) throws IOException
    {
        final RbdSession s = enter();
        try
        {
            if (!mapsExtents(s))
            {
                return hole ? sizeBytes : offset;
            }
            return hole ? ExtentScan.nextHole(lib, s.image, offset, sizeBytes) : ExtentScan.nextData(lib, s.image, offset, sizeBytes);
        }
        finally
        {
            s.exit();
        }
    }

    /** Whether rbd_diff_iterate2 answers from the object map (else it would list every object on the OSDs). */
    private boolean mapsExtents(final RbdSession s) throws IOException
    {
        return RbdFeatures.hasFastDiff(features) && RbdFeatures.mapValid(s.flags());
    }

    @Override
    public long holeGeneration()
    {
        return 0; // reads go to librbd whole; no extent is cached on this side
    }

    /** Grows or shrinks the image (rbd_resize): other clients of the image see it too. */
    public void resize(final long newSizeBytes) throws IOException
    {
        final RbdSession s = enter();
        try
        {
            final int rc = (int)lib.rbdResize.invokeExact(s.image, newSizeBytes);
            if (rc < 0)
            {
                throw new IOException("rbd://" + uri.spec() + ": " + RbdErrors.describe("rbd_resize", rc));
            }
            sizeBytes = s.size();
        }
        catch (final IOException ex)
        {
            throw ex;
        }
        catch (final Throwable ex)
        {
            throw Librbd.failed("rbd_resize", ex);
        }
        finally
        {
            s.exit();
        }
    }

    /** What {@code ctl disk show} tells about the image and the connection. */
    @Override
    public synchronized Map<String, Object> describe()
    {
        final Map<String, Object> view = new LinkedHashMap<>();
        view.put("type", "rbd");
        view.put("pool", uri.pool());
        view.put("namespace", uri.namespace());
        view.put("image", uri.image());
        view.put("snapshot", null == uri.snapshot() ? "" : uri.snapshot());
        view.put("state", state);
        final RbdSession s = session;
        view.put("clientAddress", null == s ? "" : s.clientAddress);
        view.put("features", RbdFeatures.names(features));
        boolean mapped = false;
        if (null != s && s.enter())
        {
            try
            {
                mapped = mapsExtents(s);
            }
            catch (final IOException ex)
            {
                mapped = false;
            }
            finally
            {
                s.exit();
            }
        }
        view.put("blockStatus", mapped ? "object-map" : "all data (no valid fast-diff object map)");
        view.put("librbd", lib.version);
        view.put("timeoutMs", uri.timeoutMs());
        view.put("reconnectAttempts", reconnectAttempts);
        view.put("reconnects", reconnects);
        view.put("lastError", lastError);
        view.put("lastErrorAt", null == lastErrorAt ? "" : lastErrorAt.toString());
        view.put("errors", counts.snapshot());
        return view;
    }

    @Override
    public void close()
    {
        final RbdSession s;
        synchronized (this)
        {
            if (closed)
            {
                return;
            }
            closed = true;
            state = "closed";
            s = session;
            session = null;
        }
        final boolean released = null == s || closeWhenIdle(s);
        // Slot memory goes only when no session (an old one closing after a reconnect included) can call back into it.
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2 * uri.timeoutMs() + 1_000);
        while (closing.get() > 0 && System.nanoTime() - deadline < 0)
        {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
        if (closing.get() > 0)
        {
            sessionLeft = true;
        }
        final List<Arena> arenas;
        synchronized (this)
        {
            arenas = new ArrayList<>(channelArenas);
            channelArenas.clear();
        }
        if (released && !sessionLeft)
        {
            arenas.forEach(Arena::close);
        }
    }

    private RbdSession enter() throws IOException
    {
        final RbdSession s = session;
        if (null == s || !s.enter())
        {
            throw new IOException("rbd://" + uri.spec() + ": no connection to the cluster (reconnecting)");
        }
        return s;
    }

    /** A synchronous librbd call, for the control thread (the flush before a disk closes). */
    private long blocking(final String name, final Call call, final ByteBuffer buffer) throws IOException
    {
        final RbdSession s = enter();
        try (Arena arena = Arena.ofConfined())
        {
            MemorySegment memory = MemorySegment.NULL;
            if (null != buffer)
            {
                memory = buffer.isDirect() ? MemorySegment.ofBuffer(buffer) : arena.allocate(buffer.remaining());
                if (!buffer.isDirect())
                {
                    MemorySegment.copy(MemorySegment.ofBuffer(buffer), 0, memory, 0, buffer.remaining());
                }
            }
            final long rc = call.invoke(s, memory);
            if (rc < 0)
            {
                counts.count((int)-rc);
                if (RbdErrors.connectionLost((int)-rc))
                {
                    lost(s, RbdErrors.name((int)-rc));
                }
                throw new IOException("rbd://" + uri.spec() + ": " + RbdErrors.describe(name, (int)rc));
            }
            if (null != buffer && !buffer.isDirect() && "rbd_read".equals(name))
            {
                MemorySegment.copy(memory, 0, MemorySegment.ofBuffer(buffer), 0, buffer.remaining());
            }
            return rc;
        }
        catch (final IOException ex)
        {
            throw ex;
        }
        catch (final Throwable ex)
        {
            throw Librbd.failed(name, ex);
        }
        finally
        {
            s.exit();
        }
    }

    @FunctionalInterface
    private interface Call
    {
        long invoke(RbdSession session, MemorySegment buffer) throws Throwable;
    }
}
