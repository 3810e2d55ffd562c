package io.vplane.blockstore.rbd;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicInteger;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * One connection to the cluster with the image open on it: a {@code rados_t}, the pool's
 * {@code rados_ioctx_t} and the {@code rbd_image_t}. librbd's image handle is safe to use from many
 * threads; what must not happen is a call on it after {@link #close()}. So every request holds the
 * session from its submission to its completion ({@link #enter()}/{@link #exit()}), and a session
 * taken out of service is closed only once none does.
 */
final class RbdSession
{
    final MemorySegment image;
    /** The client's address as the cluster sees it (what {@code ceph osd blocklist} takes). */
    final String clientAddress;
    private final Librbd lib;
    private final MemorySegment cluster;
    private final MemorySegment io;
    /** Requests submitted on this session and not completed, plus callers inside a submission. */
    private final AtomicInteger users = new AtomicInteger();
    private volatile boolean retired;

    private RbdSession(final Librbd lib, final MemorySegment cluster, final MemorySegment io, final MemorySegment image,
        final String clientAddress)
    {
        this.lib = lib;
        this.cluster = cluster;
        this.io = io;
        this.image = image;
        this.clientAddress = clientAddress;
    }

    /**
     * Connects and opens the image; on failure releases whatever was made.
     *
     * @throws IOException naming the step that failed and librbd's error
     */
    static RbdSession open(final Librbd lib, final RbdImageUri uri, final boolean readOnly) throws IOException
    {
        MemorySegment cluster = MemorySegment.NULL;
        MemorySegment io = MemorySegment.NULL;
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment out = arena.allocate(ADDRESS);
            check(uri, "rados_create2", (int)lib.radosCreate2.invokeExact(out, arena.allocateFrom("ceph"),
                arena.allocateFrom("client." + uri.id()), 0L));
            cluster = out.get(ADDRESS, 0);
            // A local, not a conditional in the call: invokeExact would type that argument as Object.
            final MemorySegment confPath = null == uri.conf() ? MemorySegment.NULL : arena.allocateFrom(uri.conf());
            check(uri, "reading conf " + (null == uri.conf() ? "(default search)" : uri.conf()),
                (int)lib.radosConfReadFile.invokeExact(cluster, confPath));
            if (null != uri.keyring())
            {
                set(lib, arena, cluster, uri, "keyring", uri.keyring());
            }
            // Bounded waits: a request or a connection the cluster does not answer fails instead of hanging the disk.
            final String seconds = Long.toString(uri.timeoutSeconds());
            set(lib, arena, cluster, uri, "rados_osd_op_timeout", seconds);
            set(lib, arena, cluster, uri, "rados_mon_op_timeout", seconds);
            set(lib, arena, cluster, uri, "client_mount_timeout", seconds);
            check(uri, "rados_connect", (int)lib.radosConnect.invokeExact(cluster));
            final String address = clientAddress(lib, arena, cluster);
            check(uri, "opening pool " + uri.pool(), (int)lib.radosIoctxCreate.invokeExact(cluster, arena.allocateFrom(uri.pool()), out));
            io = out.get(ADDRESS, 0);
            if (!uri.namespace().isEmpty())
            {
                lib.radosIoctxSetNamespace.invokeExact(io, arena.allocateFrom(uri.namespace()));
            }
            final MemorySegment name = arena.allocateFrom(uri.image());
            final MemorySegment snap = null == uri.snapshot() ? MemorySegment.NULL : arena.allocateFrom(uri.snapshot());
            final int opened = readOnly ? (int)lib.rbdOpenReadOnly.invokeExact(io, name, out, snap) :
                (int)lib.rbdOpen.invokeExact(io, name, out, snap);
            check(uri, "opening image " + uri.spec(), opened);
            return new RbdSession(lib, cluster, io, out.get(ADDRESS, 0), address);
        }
        catch (final IOException ex)
        {
            release(lib, cluster, io);
            throw ex;
        }
        catch (final Throwable ex)
        {
            release(lib, cluster, io);
            throw Librbd.failed("opening " + uri.spec(), ex);
        }
    }

    private static void set(final Librbd lib, final Arena arena, final MemorySegment cluster, final RbdImageUri uri,
        final String option, final String value) throws Throwable
    {
        check(uri, "setting " + option, (int)lib.radosConfSet.invokeExact(cluster, arena.allocateFrom(option), arena.allocateFrom(value)));
    }

    private static String clientAddress(final Librbd lib, final Arena arena, final MemorySegment cluster) throws Throwable
    {
        final MemorySegment out = arena.allocate(ADDRESS);
        if ((int)lib.radosGetaddrs.invokeExact(cluster, out) < 0)
        {
            return "";
        }
        final MemorySegment text = out.get(ADDRESS, 0);
        final String address = text.reinterpret(4096).getString(0);
        lib.radosBufferFree.invokeExact(text);
        return address;
    }

    private static void check(final RbdImageUri uri, final String step, final int rc) throws IOException
    {
        if (rc < 0)
        {
            throw new IOException("rbd://" + uri.spec() + ": " + RbdErrors.describe(step, rc));
        }
    }

    /** @return false when the session is out of service; then the caller must not touch {@link #image} */
    boolean enter()
    {
        users.incrementAndGet();
        if (retired)
        {
            users.decrementAndGet();
            return false;
        }
        return true;
    }

    void exit()
    {
        users.decrementAndGet();
    }

    /** No new request may start on this session from now on. */
    void retire()
    {
        retired = true;
    }

    boolean idle()
    {
        return 0 == users.get();
    }

    long size() throws IOException
    {
        return u64("rbd_get_size", lib.rbdGetSize);
    }

    long features() throws IOException
    {
        return u64("rbd_get_features", lib.rbdGetFeatures);
    }

    long flags() throws IOException
    {
        return u64("rbd_get_flags", lib.rbdGetFlags);
    }

    private long u64(final String call, final java.lang.invoke.MethodHandle handle) throws IOException
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment out = arena.allocate(JAVA_LONG);
            final int rc = (int)handle.invokeExact(image, out);
            if (rc < 0)
            {
                throw new IOException(RbdErrors.describe(call, rc));
            }
            return out.get(JAVA_LONG, 0);
        }
        catch (final IOException ex)
        {
            throw ex;
        }
        catch (final Throwable ex)
        {
            throw Librbd.failed(call, ex);
        }
    }

    /** Closes the image (librbd waits for its requests in flight) and the connection. Once only. */
    void close()
    {
        retired = true;
        try
        {
            final int rc = (int)lib.rbdClose.invokeExact(image);
            if (rc < 0)
            {
                // Closing flushes; nothing can be done about it here but to release the rest.
                org.slf4j.LoggerFactory.getLogger(RbdSession.class).warn("{}", RbdErrors.describe("rbd_close", rc));
            }
        }
        catch (final Throwable ex)
        {
            throw Librbd.failed("rbd_close", ex);
        }
        release(lib, cluster, io);
    }

    private static void release(final Librbd lib, final MemorySegment cluster, final MemorySegment io)
    {
        try
        {
            if (!MemorySegment.NULL.equals(io))
            {
                lib.radosIoctxDestroy.invokeExact(io);
            }
            if (!MemorySegment.NULL.equals(cluster))
            {
                lib.radosShutdown.invokeExact(cluster);
            }
        }
        catch (final Throwable ex)
        {
            throw Librbd.failed("rados_shutdown", ex);
        }
    }
}
