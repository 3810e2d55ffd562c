package io.vplane.engine.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Unix stream sockets as vhost-user needs them and the JDK does not offer: descriptors passed with
 * SCM_RIGHTS through sendmsg / recvmsg ({@link MsgHdr}, {@link CmsgHdr}), addressed by
 * {@link SockaddrUn}. Every socket is closed on exec.
 */
public final class Sockets
{
    public static final int AF_UNIX = 1;
    public static final int SOCK_STREAM = 1;
    /** Message boundaries kept, as a TAP keeps its frames': one read, one message. */
    public static final int SOCK_SEQPACKET = 5;
    public static final int SOCK_CLOEXEC = 0x80000;
    public static final int SOCK_NONBLOCK = 0x800;
    /** shutdown(2): no more sends. */
    public static final int SHUT_WR = 1;
    private static final int SOL_SOCKET = 1;
    private static final int SO_RCVTIMEO = 20;
    private static final int SO_SNDTIMEO = 21;
    /** struct timeval (64-bit): long tv_sec, long tv_usec. */
    private static final int TIMEVAL_SIZE = 16;
    public static final int MSG_CTRUNC = 0x8;
    public static final int MSG_NOSIGNAL = 0x4000;
    public static final int MSG_CMSG_CLOEXEC = 0x40000000;

    private static final MethodHandle SOCKET = NativeCall.downcall("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle SOCKETPAIR =
        NativeCall.downcall("socketpair", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle BIND = NativeCall.downcall("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle CONNECT = NativeCall.downcall("connect", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle LISTEN = NativeCall.downcall("listen", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle ACCEPT4 =
        NativeCall.downcall("accept4", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
    private static final MethodHandle RECVMSG = NativeCall.downcall("recvmsg", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle SETSOCKOPT = NativeCall.downcall("setsockopt", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle SHUTDOWN = NativeCall.downcall("shutdown", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle SENDMSG = NativeCall.downcall("sendmsg", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));

    private Sockets()
    {
    }

    public static int socket(final int domain, final int type, final int protocol)
    {
        try
        {
            return NativeCall.checked((int)SOCKET.invokeExact(NativeCall.state(), domain, type, protocol));
        }
        catch (final Throwable ex)
        {
            throw NativeCall.failedToCall("socket", ex);
        }
    }

    /** Creates a connected pair of stream Unix sockets; {@code fds} receives the two fds. */
    public static int socketPair(final int[] fds)
    {
        return socketPair(SOCK_STREAM, fds);
    }

    /** Creates a connected pair of Unix sockets of {@code type} (with SOCK_NONBLOCK if wanted), closed on exec. */
    public static int socketPair(final int type, final int[] fds)
    {
        try
        {
            final MemorySegment pair = NativeCall.eightBytes();
            return NativeCall.fdPair(
                NativeCall.checked((int)SOCKETPAIR.invokeExact(NativeCall.state(), AF_UNIX, type | SOCK_CLOEXEC, 0, pair)), pair, fds);
        }
        catch (final Throwable ex)
        {
            throw NativeCall.failedToCall("socketpair", ex);
        }
    }

    public static int bind(final int fd, final MemorySegment address)
    {
        try
        {
            return NativeCall.checked((int)BIND.invokeExact(NativeCall.state(), fd, address, (int)address.byteSize()));
        }
        catch (final Throwable ex)
        {
            throw NativeCall.failedToCall("bind", ex);
        }
    }

    public static int connect(final int fd, final MemorySegment address)
    {
        try
        {
            return NativeCall.checked((int)CONNECT.invokeExact(NativeCall.state(), fd, address, (int)address.byteSize()));
        }
        catch (final Throwable ex)
        {
            throw NativeCall.failedToCall("connect", ex);
        }
    }

    public static int listen(final int fd, final int backlog)
    {
        try
        {
            return NativeCall.checked((int)LISTEN.invokeExact(NativeCall.state(), fd, backlog));
        }
        catch (final Throwable ex)
        {
            throw NativeCall.failedToCall("listen", ex);
        }
    }

    /** @return 0 or {@code -errno} */
    public static int shutdown(final int fd, final int how)
    {
        try
        {
            return NativeCall.checked((int)SHUTDOWN.invokeExact(NativeCall.state(), fd, how));
        }
        catch (final Throwable ex)
        {
            throw NativeCall.failedToCall("shutdown", ex);
        }
    }

    /** @return the accepted socket, closed on exec, or {@code -errno} */
    public static int accept(final int fd)
    {
        try
        {
            return NativeCall.checked((int)ACCEPT4.invokeExact(NativeCall.state(), fd, MemorySegment.NULL, MemorySegment.NULL, SOCK_CLOEXEC));
        }
        catch (final Throwable ex)
        {
            throw NativeCall.failedToCall("accept4", ex);
        }
    }

    /** @param msghdr a {@link MsgHdr} */
    public static long recvmsg(final int fd, final MemorySegment msghdr, final int flags)
    {
        try
        {
            return NativeCall.checked((long)RECVMSG.invokeExact(NativeCall.state(), fd, msghdr, flags));
        }
        catch (final Throwable ex)
        {
            throw NativeCall.failedToCall("recvmsg", ex);
        }
    }

    /** @param msghdr a {@link MsgHdr} */
    public static long sendmsg(final int fd, final MemorySegment msghdr, final int flags)
    {
        try
        {
            return NativeCall.checked((long)SENDMSG.invokeExact(NativeCall.state(), fd, msghdr, flags));
        }
        catch (final Throwable ex)
        {
            throw NativeCall.failedToCall("sendmsg", ex);
        }
    }

    /**
     * Send and receive timeouts (SO_SNDTIMEO, SO_RCVTIMEO; socket(7)): a blocking call that waits
     * longer fails with EAGAIN, so a peer that stops reading or stops mid-message cannot hold the
     * calling thread forever. Control path only: it allocates its timeval.
     *
     * @return 0, or {@code -errno} of the first option refused (not a socket)
     */
    public static int setTimeouts(final int fd, final long timeoutMs)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment timeval = arena.allocate(TIMEVAL_SIZE, 8);
            timeval.set(JAVA_LONG, 0, timeoutMs / 1_000);
            timeval.set(JAVA_LONG, 8, (timeoutMs % 1_000) * 1_000);
            final int send = NativeCall.checked(
                (int)SETSOCKOPT.invokeExact(NativeCall.state(), fd, SOL_SOCKET, SO_SNDTIMEO, timeval, TIMEVAL_SIZE));
            return send < 0 ? send : NativeCall.checked(
                (int)SETSOCKOPT.invokeExact(NativeCall.state(), fd, SOL_SOCKET, SO_RCVTIMEO, timeval, TIMEVAL_SIZE));
        }
        catch (final Throwable ex)
        {
            throw NativeCall.failedToCall("setsockopt", ex);
        }
    }
}
