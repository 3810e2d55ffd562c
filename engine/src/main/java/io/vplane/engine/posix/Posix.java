package io.vplane.engine.posix;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * The Linux system calls vhost-user needs and the JDK does not offer (Unix sockets with
 * SCM_RIGHTS, mmap of a passed fd, eventfd, epoll, and pipes with splice for moving socket data
 * without copying it through user memory), as Foreign Function &amp; Memory downcalls.
 * Every call returns the raw result; a negative result is {@code -errno}. Linux x86_64/aarch64 ABI.
 */
public final class Posix
{
    public static final int AF_UNIX = 1;
    public static final int SOCK_STREAM = 1;
    public static final int SOCK_CLOEXEC = 0x80000;
    public static final int SOL_SOCKET = 1;
    public static final int SCM_RIGHTS = 1;
    public static final int MSG_CTRUNC = 0x8;
    public static final int MSG_NOSIGNAL = 0x4000;
    public static final int MSG_CMSG_CLOEXEC = 0x40000000;
    public static final int POLLIN = 0x1;
    public static final int PROT_READ = 0x1;
    public static final int PROT_WRITE = 0x2;
    public static final int MAP_SHARED = 0x1;
    public static final int EINTR = 4;
    public static final int EAGAIN = 11;
    public static final int ENOENT = 2;
    public static final int ECONNREFUSED = 111;
    public static final int EFD_NONBLOCK = 0x800;
    public static final int EFD_CLOEXEC = 0x80000;
    public static final int O_NONBLOCK = 0x800;
    public static final int O_CLOEXEC = 0x80000;
    public static final int EPOLL_CLOEXEC = 0x80000;
    public static final int SPLICE_F_MOVE = 0x1;
    public static final int SPLICE_F_NONBLOCK = 0x2;
    public static final int EPOLLIN = 0x1;
    public static final int EPOLL_CTL_ADD = 1;
    public static final int EPOLL_CTL_DEL = 2;
    /** struct epoll_event is packed on x86_64: u32 events, then u64 data. */
    public static final int EPOLL_EVENT_SIZE = 12;
    public static final int EPOLL_EVENT_DATA_OFFSET = 4;

    /** struct sockaddr_un: sa_family_t (u16) then a 108-byte path. */
    public static final int SOCKADDR_UN_SIZE = 110;
    public static final int SUN_PATH_MAX = 107;

    /**
     * struct msghdr (64-bit):
     * <pre>
     *   0  void  *msg_name        8 socklen_t msg_namelen (+4 pad)
     *  16  iovec *msg_iov        24 size_t    msg_iovlen
     *  32  void  *msg_control    40 size_t    msg_controllen
     *  48  int    msg_flags (+4 pad)                           = 56 bytes
     * </pre>
     */
    public static final int MSGHDR_SIZE = 56;
    public static final int MSG_IOV_OFFSET = 16;
    public static final int MSG_IOVLEN_OFFSET = 24;
    public static final int MSG_CONTROL_OFFSET = 32;
    public static final int MSG_CONTROLLEN_OFFSET = 40;
    public static final int MSG_FLAGS_OFFSET = 48;
    /** struct iovec: base pointer, length. */
    public static final int IOVEC_SIZE = 16;
    /** struct cmsghdr: size_t cmsg_len, int level, int type, then data (8-aligned). */
    public static final int CMSG_HEADER_SIZE = 16;

    private static final StructLayout CAPTURED_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURED_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final ThreadLocal<MemorySegment> STATE =
        ThreadLocal.withInitial(() -> Arena.global().allocate(CAPTURED_STATE));

    private static final MethodHandle SOCKET = downcall("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle BIND = downcall("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle CONNECT = downcall("connect", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle LISTEN = downcall("listen", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle ACCEPT4 = downcall("accept4", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
    private static final MethodHandle RECVMSG = downcall("recvmsg", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle SENDMSG = downcall("sendmsg", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle CLOSE = downcall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle READ = downcall("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle WRITE = downcall("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle POLL = downcall("poll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle MMAP = downcall("mmap", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle MUNMAP = downcall("munmap", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle EVENTFD = downcall("eventfd", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle MEMFD_CREATE = downcall("memfd_create", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle FTRUNCATE = downcall("ftruncate", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle LSEEK = downcall("lseek", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT));
    private static final MethodHandle FCNTL = downcall("fcntl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle EPOLL_CREATE1 = downcall("epoll_create1", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle EPOLL_CTL = downcall("epoll_ctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle EPOLL_WAIT = downcall("epoll_wait", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    private static final MethodHandle PIPE2 = downcall("pipe2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle SPLICE = downcall("splice",
        FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle SOCKETPAIR = downcall("socketpair", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));

    private static final int F_DUPFD_CLOEXEC = 1030;
    private static final int F_SETPIPE_SZ = 1031;
    private static final int F_GETPIPE_SZ = 1032;

    /** An 8-byte scratch value per thread for eventfd reads and writes, a pollfd, a file offset (no allocation per call). */
    private static final ThreadLocal<MemorySegment> EIGHT_BYTES = ThreadLocal.withInitial(() -> Arena.global().allocate(8, 8));

    private Posix()
    {
    }

    public static int socket(final int domain, final int type, final int protocol)
    {
        try
        {
            return checked((int)SOCKET.invokeExact(state(), domain, type, protocol));
        }
        catch (final Throwable ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    /** Creates a connected pair of stream Unix sockets; {@code fds} receives the two fds. */
    public static int socketPair(final int[] fds)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment pair = arena.allocate(8, 4);
            final int rc = checked((int)SOCKETPAIR.invokeExact(state(), AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair));
            fds[0] = pair.get(JAVA_INT, 0);
            fds[1] = pair.get(JAVA_INT, 4);
            return rc;
        }
        catch (final Throwable ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    /** Fills a sockaddr_un for {@code path}. */
    public static MemorySegment sockaddrUnix(final Arena arena, final String path)
    {
        final byte[] bytes = path.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        if (bytes.length > SUN_PATH_MAX)
        {
            throw new IllegalArgumentException("socket path longer than " + SUN_PATH_MAX + " bytes: " + path);
        }
        final MemorySegment address = arena.allocate(SOCKADDR_UN_SIZE, 2);
        address.set(JAVA_SHORT, 0, (short)AF_UNIX);
        MemorySegment.copy(bytes, 0, address, ValueLayout.JAVA_BYTE, 2, bytes.length);
        return address;
    }

    public static int bind(final int fd, final MemorySegment address)
    {
        try
        {
            return checked((int)BIND.invokeExact(state(), fd, address, (int)address.byteSize()));
        }
        catch (final Throwable ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    public static int connect(final int fd, final MemorySegment address)
    {
        try
        {
            return checked((int)CONNECT.invokeExact(state(), fd, address, (int)address.byteSize()));
        }
        catch (final Throwable ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    public static int listen(final int fd, final int backlog)
    {
        try
        {
            return checked((int)LISTEN.invokeExact(state(), fd, backlog));
        }
        catch (final Throwable ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    public static int accept(final int fd)
    {
        try
        {
            return checked((int)ACCEPT4.invokeExact(state(), fd, MemorySegment.NULL, MemorySegment.NULL, SOCK_CLOEXEC));
        }
        catch (final Throwable ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    public static long recvmsg(final int fd, final MemorySegment msghdr, final int flags)
    {
        try
        {
            return checked((long)RECVMSG.invokeExact(state(), fd, msghdr, flags));
        }
        catch (final Throwable ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    public static long sendmsg(final int fd, final MemorySegment msghdr, final int flags)
    {
        try
        {
            return checked((long)SENDMSG.invokeExact(state(), fd, msghdr, flags));
        }
        catch (final Throwable ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    public static int close(final int fd)
    {
        if (fd < 0)
        {
            return 0;
        }
        try
        {
            return checked((int)CLOSE.invokeExact(state(), fd));
        }
        catch (final Throwable ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    public static long read(final int fd, final MemorySegment buffer, final long length)
    {
        try
        {
            return checked((long)READ.invokeExact(state(), fd, buffer, length));
        }
        catch (final Throwable ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    public static long write(final int fd, final MemorySegment buffer, final long length)
    {
        try
        {
            return checked((long)WRITE.invokeExact(state(), fd, buffer, length));
        }
        catch (final Throwable ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    /**
     * Waits until {@code fd} is readable (or hung up).
     *
     * @return positive when ready, 0 on timeout, negative errno
     */
    public static int pollIn(final int fd, final int timeoutMs)
    {
        try
        {
            // struct pollfd { int fd; short events; short revents; }
            final MemorySegment pollfd = EIGHT_BYTES.get();
            pollfd.set(JAVA_INT, 0, fd);
            pollfd.set(JAVA_SHORT, 4, (short)POLLIN);
            pollfd.set(JAVA_SHORT, 6, (short)0);
            return checked((int)POLL.invokeExact(state(), pollfd, 1L, timeoutMs));
        }
        catch (final Throwable ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    /** @return the mapping's address, or {@link MemorySegment#NULL} with {@link #lastErrno()} set */
    public static MemorySegment mmap(final long length, final int prot, final int flags, final int fd, final long offset)
    {
        try
        {
            final MemorySegment address = (MemorySegment)MMAP.invokeExact(state(), MemorySegment.NULL, length, prot, flags, fd, offset);
            // MAP_FAILED is (void *)-1
            return address.address() == -1L ? MemorySegment.NULL : address;
        }
        catch (final Throwable ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    public static int munmap(final long address, final long length)
    {
        try
        {
            return checked((int)MUNMAP.invokeExact(state(), MemorySegment.ofAddress(address), length));
        }
        catch (final Throwable ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    public static int eventfd(final int initial, final int flags)
    {
        try
        {
            return checked((int)EVENTFD.invokeExact(state(), initial, flags));
        }
        catch (final Throwable ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    /** Adds 1 to an eventfd's counter: a virtqueue call (used buffers) or kick. */
    public static long eventfdSignal(final int fd)
    {
        final MemorySegment one = EIGHT_BYTES.get();
        one.set(JAVA_LONG, 0, 1L);
        return write(fd, one, 8);
    }

    /** Reads and resets an eventfd's counter; returns it, or a negative errno (EAGAIN when zero and non-blocking). */
    public static long eventfdRead(final int fd)
    {
        final MemorySegment value = EIGHT_BYTES.get();
        final long rc = read(fd, value, 8);
        return rc < 0 ? rc : value.get(JAVA_LONG, 0);
    }

    public static int epollCreate()
    {
        try
        {
            return checked((int)EPOLL_CREATE1.invokeExact(state(), EPOLL_CLOEXEC));
        }
        catch (final Throwable ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    /** Adds ({@link #EPOLL_CTL_ADD}) or removes ({@link #EPOLL_CTL_DEL}) {@code fd}, readable, with {@code fd} as its data. */
    public static int epollCtl(final int epfd, final int op, final int fd)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment event = arena.allocate(EPOLL_EVENT_SIZE, 4);
            event.set(JAVA_INT, 0, EPOLLIN);
            event.set(ValueLayout.JAVA_LONG_UNALIGNED, EPOLL_EVENT_DATA_OFFSET, fd);
            return checked((int)EPOLL_CTL.invokeExact(state(), epfd, op, fd, event));
        }
        catch (final Throwable ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    /**
     * Waits for readiness; {@code events} holds {@code maxEvents} packed epoll_event entries.
     *
     * @return how many entries were filled, or a negative errno (EINTR when a signal came)
     */
    public static int epollWait(final int epfd, final MemorySegment events, final int maxEvents, final int timeoutMs)
    {
        try
        {
            return checked((int)EPOLL_WAIT.invokeExact(state(), epfd, events, maxEvents, timeoutMs));
        }
        catch (final Throwable ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    /** An anonymous shared-memory file, as a frontend uses for guest memory. */
    public static int memfd(final String name, final long size)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final int fd = checked((int)MEMFD_CREATE.invokeExact(state(), arena.allocateFrom(name), 1 /* MFD_CLOEXEC */));
            if (fd < 0)
            {
                return fd;
            }
            final int rc = checked((int)FTRUNCATE.invokeExact(state(), fd, size));
            if (rc < 0)
            {
                close(fd);
                return rc;
            }
            return fd;
        }
        catch (final Throwable ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    /** Size of the file behind {@code fd} (lseek to its end), or a negative errno. */
    public static long fileSize(final int fd)
    {
        try
        {
            return checked((long)LSEEK.invokeExact(state(), fd, 0L, 2 /* SEEK_END */));
        }
        catch (final Throwable ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    public static int setNonBlocking(final int fd)
    {
        try
        {
            final int flags = checked((int)FCNTL.invokeExact(state(), fd, 3 /* F_GETFL */, 0));
            if (flags < 0)
            {
                return flags;
            }
            return checked((int)FCNTL.invokeExact(state(), fd, 4 /* F_SETFL */, flags | O_NONBLOCK));
        }
        catch (final Throwable ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    /**
     * Creates a pipe; {@code fds} receives its read end, then its write end.
     *
     * @param flags O_NONBLOCK, O_CLOEXEC
     */
    public static int pipe(final int[] fds, final int flags)
    {
        try
        {
            final MemorySegment pair = EIGHT_BYTES.get();
            final int rc = checked((int)PIPE2.invokeExact(state(), pair, flags));
            if (rc == 0)
            {
                fds[0] = pair.get(JAVA_INT, 0);
                fds[1] = pair.get(JAVA_INT, 4);
            }
            return rc;
        }
        catch (final Throwable ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    /** Resizes a pipe's buffer (F_SETPIPE_SZ). @return its capacity in bytes now, or -errno */
    public static int setPipeSize(final int fd, final int bytes)
    {
        try
        {
            return checked((int)FCNTL.invokeExact(state(), fd, F_SETPIPE_SZ, bytes));
        }
        catch (final Throwable ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    /** A pipe's buffer size (F_GETPIPE_SZ). @return bytes, or -errno */
    public static int pipeSize(final int fd)
    {
        try
        {
            return checked((int)FCNTL.invokeExact(state(), fd, F_GETPIPE_SZ, 0));
        }
        catch (final Throwable ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    /** A second descriptor for what {@code fd} refers to, closed on exec. */
    public static int dup(final int fd)
    {
        try
        {
            return checked((int)FCNTL.invokeExact(state(), fd, F_DUPFD_CLOEXEC, 0));
        }
        catch (final Throwable ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    /**
     * Moves up to {@code length} bytes from {@code in} to {@code out}, one of them a pipe, without
     * copying them through user memory.
     *
     * @param outOffset where to write in {@code out} (a file; it is not moved), or -1 for a pipe
     *                  or socket
     * @return bytes moved, 0 at end of input, or -errno
     */
    public static long splice(final int in, final int out, final long outOffset, final long length, final int flags)
    {
        try
        {
            MemorySegment offset = MemorySegment.NULL;
            if (outOffset >= 0)
            {
                offset = EIGHT_BYTES.get();
                offset.set(JAVA_LONG, 0, outOffset);
            }
            return checked((long)SPLICE.invokeExact(state(), in, MemorySegment.NULL, out, offset, length, flags));
        }
        catch (final Throwable ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    /** The errno of this thread's last failed call. */
    public static int lastErrno()
    {
        return (int)ERRNO.get(STATE.get(), 0L);
    }

    public static String describe(final int errno)
    {
        return switch (errno)
        {
            case 1 -> "EPERM";
            case 2 -> "ENOENT";
            case 4 -> "EINTR";
            case 5 -> "EIO";
            case 9 -> "EBADF";
            case 11 -> "EAGAIN";
            case 12 -> "ENOMEM";
            case 13 -> "EACCES";
            case 22 -> "EINVAL";
            case 28 -> "ENOSPC";
            case 32 -> "EPIPE";
            case 98 -> "EADDRINUSE";
            case 104 -> "ECONNRESET";
            case 111 -> "ECONNREFUSED";
            default -> "errno " + errno;
        };
    }

    private static MemorySegment state()
    {
        return STATE.get();
    }

    private static int checked(final int rc)
    {
        return rc < 0 ? -lastErrno() : rc;
    }

    private static long checked(final long rc)
    {
        return rc < 0 ? -lastErrno() : rc;
    }

    private static MethodHandle downcall(final String name, final FunctionDescriptor descriptor)
    {
        final Linker linker = Linker.nativeLinker();
        final SymbolLookup lookup = linker.defaultLookup();
        return linker.downcallHandle(lookup.findOrThrow(name), descriptor, Linker.Option.captureCallState("errno"));
    }
}
