package io.vplane.vsock.control;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.ClosedChannelException;

/**
 * An AF_VSOCK stream socket ({@code socket(7)}, {@code vsock(7)}) through the JDK's foreign
 * function API, for the control channel's {@code vsock} transport: a VM whose vsock is the host
 * kernel's vhost-vsock, reached by {@code cid:port}. The agent is the JDK alone, so this is the
 * few libc calls it needs, not the daemon's native layer. Blocking calls wait in {@code poll}
 * in short slices, so {@link #close} from another thread ends them (closing an fd does not wake a
 * thread blocked on it). Address layout, {@code struct sockaddr_vm} (16 bytes):
 * <pre>
 *   0: u16 svm_family (AF_VSOCK = 40)   2: u16 reserved   4: u32 svm_port   8: u32 svm_cid
 *  12: u8 svm_flags   13: u8[3] zero
 * </pre>
 */
public final class VsockSocket implements ByteChannel
{
    public static final int AF_VSOCK = 40;
    /** Any CID of this machine, to listen on. */
    public static final long CID_ANY = 0xFFFF_FFFFL;
    /** The local CID: this machine to itself, through the kernel's vsock_loopback transport. */
    public static final long CID_LOCAL = 1;
    public static final long CID_HOST = 2;

    private static final int SOCK_STREAM = 1;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final short POLLIN = 0x1;
    private static final short POLLOUT = 0x4;
    private static final int SLICE_MS = 200;
    private static final int EINTR = 4;
    private static final int EAGAIN = 11;
    private static final int EINPROGRESS = 115;
    private static final int SOL_SOCKET = 1;
    private static final int SO_ERROR = 4;
    private static final int O_NONBLOCK = 0x800;
    private static final int F_GETFL = 3;
    private static final int F_SETFL = 4;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final MemoryLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE = Linker.Option.captureCallState("errno");
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
    private static final MethodHandle SOCKET = downcall("socket", FunctionDescriptor.of(INT, INT, INT, INT));
    private static final MethodHandle BIND = downcall("bind", FunctionDescriptor.of(INT, INT, ValueLayout.ADDRESS, INT));
    private static final MethodHandle LISTEN = downcall("listen", FunctionDescriptor.of(INT, INT, INT));
    private static final MethodHandle ACCEPT = downcall("accept4", FunctionDescriptor.of(INT, INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS, INT));
    private static final MethodHandle CONNECT = downcall("connect", FunctionDescriptor.of(INT, INT, ValueLayout.ADDRESS, INT));
    private static final MethodHandle READ = downcall("read", FunctionDescriptor.of(ValueLayout.JAVA_LONG, INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
    private static final MethodHandle WRITE = downcall("write", FunctionDescriptor.of(ValueLayout.JAVA_LONG, INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
    private static final MethodHandle POLL = downcall("poll", FunctionDescriptor.of(INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, INT));
    private static final MethodHandle SHUTDOWN = downcall("shutdown", FunctionDescriptor.of(INT, INT, INT));
    private static final MethodHandle CLOSE = downcall("close", FunctionDescriptor.of(INT, INT));
    private static final MethodHandle FCNTL = downcall("fcntl", FunctionDescriptor.of(INT, INT, INT, INT));
    private static final MethodHandle GETSOCKOPT = downcall("getsockopt",
        FunctionDescriptor.of(INT, INT, INT, INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS));
    private static final MethodHandle STRERROR = LINKER.downcallHandle(LINKER.defaultLookup().find("strerror").orElseThrow(),
        FunctionDescriptor.of(ValueLayout.ADDRESS, INT));

    private final int fd;
    private final String name;
    private volatile boolean open = true;

    private VsockSocket(final int fd, final String name)
    {
        this.fd = fd;
        this.name = name;
    }

    /** Connects to {@code cid:port}, waiting at most {@code timeoutMs}. */
    public static VsockSocket connect(final long cid, final long port, final int timeoutMs) throws IOException
    {
        final String name = "vsock:" + cid + ":" + port;
        final int fd = socket(name);
        return opened(fd, name, (arena, state) ->
        {
            setNonBlocking(fd, true, name);
            final int rc = (int)CONNECT.invokeExact(state, fd, address(arena, cid, port), 16);
            if (rc < 0 && errno(state) != EINPROGRESS)
            {
                throw failure("connect to " + name, errno(state));
            }
            if (rc < 0)
            {
                if (!poll(fd, POLLOUT, timeoutMs, arena))
                {
                    throw new IOException("connect to " + name + ": no answer within " + timeoutMs + " ms");
                }
                final MemorySegment error = arena.allocate(INT);
                final MemorySegment length = arena.allocate(INT);
                length.set(INT, 0, 4);
                final int got = (int)GETSOCKOPT.invokeExact(state, fd, SOL_SOCKET, SO_ERROR, error, length);
                if (got < 0 || error.get(INT, 0) != 0)
                {
                    throw failure("connect to " + name, got < 0 ? errno(state) : error.get(INT, 0));
                }
            }
            setNonBlocking(fd, false, name);
            return new VsockSocket(fd, name);
        });
    }

    /** Listens on {@code cid:port} ({@link #CID_ANY} for every CID of this machine). */
    public static VsockSocket listen(final long cid, final long port, final int backlog) throws IOException
    {
        final String name = "vsock:" + (CID_ANY == cid ? "any" : Long.toString(cid)) + ":" + port;
        final int fd = socket(name);
        return opened(fd, name, (arena, state) ->
        {
            if ((int)BIND.invokeExact(state, fd, address(arena, cid, port), 16) < 0)
            {
                throw failure("bind " + name, errno(state));
            }
            if ((int)LISTEN.invokeExact(state, fd, backlog) < 0)
            {
                throw failure("listen on " + name, errno(state));
            }
            return new VsockSocket(fd, name);
        });
    }

    /** Takes the next connection of a listening socket; {@link ClosedChannelException} once it is closed. */
    public VsockSocket accept() throws IOException
    {
        return calling(name, (arena, state) ->
        {
            final MemorySegment peer = arena.allocate(16);
            final MemorySegment length = arena.allocate(INT);
            while (true)
            {
                waitFor(POLLIN, arena);
                length.set(INT, 0, 16);
                final int client = (int)ACCEPT.invokeExact(state, fd, peer, length, SOCK_CLOEXEC);
                if (client >= 0)
                {
                    return new VsockSocket(client, "vsock:" + Integer.toUnsignedString(peer.get(INT, 8)) + ":"
                        + Integer.toUnsignedString(peer.get(INT, 4)));
                }
                if (errno(state) != EINTR && errno(state) != EAGAIN)
                {
                    throw failure("accept on " + name, errno(state));
                }
            }
        });
    }

    @Override
    public int read(final ByteBuffer into) throws IOException
    {
        return calling(name, (arena, state) ->
        {
            final MemorySegment buffer = arena.allocate(Math.max(1, into.remaining()));
            while (true)
            {
                waitFor(POLLIN, arena);
                final long got = (long)READ.invokeExact(state, fd, buffer, (long)into.remaining());
                if (got > 0)
                {
                    into.put(buffer.asSlice(0, got).asByteBuffer());
                    return (int)got;
                }
                if (0 == got)
                {
                    return -1;
                }
                if (errno(state) != EINTR && errno(state) != EAGAIN)
                {
                    throw failure("read from " + name, errno(state));
                }
            }
        });
    }

    @Override
    public int write(final ByteBuffer from) throws IOException
    {
        return calling(name, (arena, state) ->
        {
            final int count = from.remaining();
            final MemorySegment buffer = arena.allocate(Math.max(1, count));
            buffer.asByteBuffer().put(from.duplicate());
            while (true)
            {
                ensureOpen();
                final long put = (long)WRITE.invokeExact(state, fd, buffer, (long)count);
                if (put >= 0)
                {
                    from.position(from.position() + (int)put);
                    return (int)put;
                }
                if (errno(state) != EINTR)
                {
                    throw failure("write to " + name, errno(state));
                }
            }
        });
    }

    @Override
    public boolean isOpen()
    {
        return open;
    }

    /** Ends the socket; a thread waiting in it sees {@link ClosedChannelException} within a slice. */
    @Override
    public synchronized void close()
    {
        if (open)
        {
            open = false;
            try
            {
                // wakes a peer at once, and a reader of ours on a connected socket
                final int ignored = (int)SHUTDOWN.invokeExact(fd, 2);
            }
            catch (final Throwable ignore)
            {
                // closing anyway
            }
            closeFd(fd);
        }
    }

    @Override
    public String toString()
    {
        return name;
    }

    /** Native calls made with an arena of their own and a segment that captures errno. */
    @FunctionalInterface
    private interface NativeCalls<T>
    {
        T run(Arena arena, MemorySegment state) throws Throwable;
    }

    /** Runs {@code calls}; what fails other than with an I/O or runtime error becomes an I/O error naming {@code name}. */
    private static <T> T calling(final String name, final NativeCalls<T> calls) throws IOException
    {
        try (Arena arena = Arena.ofConfined())
        {
            return calls.run(arena, arena.allocate(CALL_STATE));
        }
        catch (final IOException | RuntimeException ex)
        {
            throw ex;
        }
        catch (final Throwable ex)
        {
            throw new IOException(name + ": " + ex, ex);
        }
    }

    /** As {@link #calling}, closing {@code fd} when the calls fail: a socket half set up is not handed out. */
    private static VsockSocket opened(final int fd, final String name, final NativeCalls<VsockSocket> calls) throws IOException
    {
        try
        {
            return calling(name, calls);
        }
        catch (final IOException | RuntimeException ex)
        {
            closeFd(fd);
            throw ex;
        }
    }

    private void waitFor(final short events, final Arena arena) throws Throwable
    {
        while (!poll(fd, events, SLICE_MS, arena))
        {
            ensureOpen();
        }
        ensureOpen();
    }

    private void ensureOpen() throws ClosedChannelException
    {
        if (!open)
        {
            throw new ClosedChannelException();
        }
    }

    private static boolean poll(final int fd, final short events, final int timeoutMs, final Arena arena) throws Throwable
    {
        final MemorySegment entry = arena.allocate(8);
        final MemorySegment state = arena.allocate(CALL_STATE);
        entry.set(INT, 0, fd);
        entry.set(ValueLayout.JAVA_SHORT, 4, events);
        final int rc = (int)POLL.invokeExact(state, entry, 1L, timeoutMs);
        if (rc < 0 && errno(state) != EINTR)
        {
            throw failure("poll", errno(state));
        }
        return rc > 0;
    }

    private static int socket(final String name) throws IOException
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment state = arena.allocate(CALL_STATE);
            final int fd = (int)SOCKET.invokeExact(state, AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0);
            if (fd < 0)
            {
                throw failure(name + ": socket(AF_VSOCK)", errno(state));
            }
            return fd;
        }
        catch (final IOException ex)
        {
            throw ex;
        }
        catch (final Throwable ex)
        {
            throw new IOException(name + ": " + ex, ex);
        }
    }

    private static void setNonBlocking(final int fd, final boolean on, final String name) throws Throwable
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment state = arena.allocate(CALL_STATE);
            final int flags = (int)FCNTL.invokeExact(state, fd, F_GETFL, 0);
            if (flags < 0 || (int)FCNTL.invokeExact(state, fd, F_SETFL, on ? flags | O_NONBLOCK : flags & ~O_NONBLOCK) < 0)
            {
                throw failure(name + ": fcntl", errno(state));
            }
        }
    }

    private static MemorySegment address(final Arena arena, final long cid, final long port)
    {
        final MemorySegment address = arena.allocate(16);
        address.set(ValueLayout.JAVA_SHORT, 0, (short)AF_VSOCK);
        address.set(INT, 4, (int)port);
        address.set(INT, 8, (int)cid);
        return address;
    }

    private static void closeFd(final int fd)
    {
        try
        {
            final int ignored = (int)CLOSE.invokeExact(fd);
        }
        catch (final Throwable ignore)
        {
            // nothing more to do with it
        }
    }

    private static int errno(final MemorySegment state)
    {
        return (int)ERRNO.get(state, 0L);
    }

    /** An IOException naming the call and the kernel's words for {@code errno}. */
    private static IOException failure(final String what, final int errno)
    {
        String text;
        try
        {
            text = ((MemorySegment)STRERROR.invokeExact(errno)).reinterpret(256).getString(0);
        }
        catch (final Throwable ex)
        {
            text = "errno " + errno;
        }
        return new IOException(what + ": " + text + " (errno " + errno + ")");
    }

    private static MethodHandle downcall(final String function, final FunctionDescriptor descriptor)
    {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(function).orElseThrow(), descriptor, CAPTURE);
    }
}
