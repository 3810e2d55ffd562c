package io.vplane.engine.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.net.Inet4Address;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * IPv4 UDP sockets for packet uplinks: a non-blocking socket in a {@code SO_REUSEPORT} group,
 * steered within the group by a classic BPF program ({@code SO_ATTACH_REUSEPORT_CBPF}: the program
 * sees the UDP payload and returns the index of the socket, in the order the sockets joined;
 * an index past the group falls back to the kernel's hash), and batched receive and send on
 * message arrays kept in native memory ({@code recvmmsg}, {@code sendmsg} by address).
 *
 * <pre>
 * struct sockaddr_in (16 bytes): 0 u16 family (AF_INET), 2 u16 port (big-endian), 4 u32 addr (big-endian), 8 zero[8]
 * struct mmsghdr (64 bytes):     0 struct msghdr (56), 56 u32 msg_len
 * struct sock_filter (8 bytes):  0 u16 code, 2 u8 jt, 3 u8 jf, 4 u32 k
 * struct sock_fprog (16 bytes):  0 u16 len, 8 struct sock_filter *filter
 * </pre>
 */
public final class UdpSockets
{
    public static final int AF_INET = 2;
    public static final int SOCKADDR_IN_SIZE = 16;
    public static final int MMSGHDR_SIZE = 64;
    public static final int MMSGHDR_LEN_OFFSET = 56;
    public static final int MSG_DONTWAIT = 0x40;
    /** msg_flags: the datagram was longer than the buffers. */
    public static final int MSG_TRUNC = 0x20;
    public static final int FILTER_SIZE = 8;

    /** Classic BPF opcodes (linux/filter.h, linux/bpf_common.h). */
    public static final int BPF_LD_W_ABS = 0x20;
    public static final int BPF_ALU_RSH_K = 0x74;
    public static final int BPF_ALU_AND_K = 0x54;
    public static final int BPF_JMP_JEQ_K = 0x15;
    public static final int BPF_RET_K = 0x06;

    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_NONBLOCK = 0x800;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int SOL_SOCKET = 1;
    private static final int SO_REUSEPORT = 15;
    private static final int SO_RCVBUF = 8;
    private static final int SO_ATTACH_REUSEPORT_CBPF = 51;

    private static final MethodHandle SOCKET = NativeCall.downcall("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle BIND = NativeCall.downcall("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle SETSOCKOPT =
        NativeCall.downcall("setsockopt", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle RECVMMSG = NativeCall.retryingEintr(NativeCall.downcall(
        "recvmmsg", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_LONG)));
    private static final MethodHandle SENDMMSG = NativeCall.retryingEintr(NativeCall.downcall(
        "sendmmsg", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT)));
    private static final MethodHandle SENDMSG = NativeCall.retryingEintr(
        NativeCall.downcall("sendmsg", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT)));

    private UdpSockets()
    {
    }

    /**
     * A non-blocking IPv4 UDP socket with SO_REUSEPORT, bound to {@code address}:{@code port}.
     *
     * @return the descriptor, or {@code -errno}
     */
    public static int openReusePort(final Inet4Address address, final int port)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final int fd = NativeCall.checked((int)SOCKET.invokeExact(NativeCall.state(), AF_INET,
                SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
            if (fd < 0)
            {
                return fd;
            }
            final MemorySegment one = arena.allocate(JAVA_INT);
            one.set(JAVA_INT, 0, 1);
            int rc = NativeCall.checked((int)SETSOCKOPT.invokeExact(NativeCall.state(), fd, SOL_SOCKET, SO_REUSEPORT, one, 4));
            if (rc >= 0)
            {
                final MemorySegment sockaddr = arena.allocate(SOCKADDR_IN_SIZE, 8);
                writeSockaddr(sockaddr, 0, address, port);
                rc = NativeCall.checked((int)BIND.invokeExact(NativeCall.state(), fd, sockaddr, SOCKADDR_IN_SIZE));
            }
            if (rc < 0)
            {
                FileIo.close(fd);
                return rc;
            }
            return fd;
        }
        catch (final Throwable ex)
        {
            throw NativeCall.failedToCall("socket/bind udp " + address.getHostAddress() + ":" + port, ex);
        }
    }

    /** SO_RCVBUF: a larger receive queue rides out a burst while the worker is busy. @return 0, or {@code -errno} */
    public static int setReceiveBuffer(final int fd, final int bytes)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment value = arena.allocate(JAVA_INT);
            value.set(JAVA_INT, 0, bytes);
            return NativeCall.checked((int)SETSOCKOPT.invokeExact(NativeCall.state(), fd, SOL_SOCKET, SO_RCVBUF, value, 4));
        }
        catch (final Throwable ex)
        {
            throw NativeCall.failedToCall("setsockopt(SO_RCVBUF)", ex);
        }
    }

    /**
     * Attaches a classic BPF program to the SO_REUSEPORT group of {@code fd}.
     *
     * @param program {@link #FILTER_SIZE}-byte instructions, see {@link #instruction}
     * @return 0, or {@code -errno}
     */
    public static int attachReusePortProgram(final int fd, final byte[] program)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment filter = arena.allocate(program.length, 8);
            MemorySegment.copy(program, 0, filter, JAVA_BYTE, 0, program.length);
            final MemorySegment fprog = arena.allocate(16, 8);
            fprog.set(JAVA_SHORT, 0, (short)(program.length / FILTER_SIZE));
            fprog.set(ADDRESS, 8, filter);
            return NativeCall.checked((int)SETSOCKOPT.invokeExact(NativeCall.state(), fd, SOL_SOCKET,
                SO_ATTACH_REUSEPORT_CBPF, fprog, 16));
        }
        catch (final Throwable ex)
        {
            throw NativeCall.failedToCall("setsockopt(SO_ATTACH_REUSEPORT_CBPF)", ex);
        }
    }

    /** Writes one classic BPF instruction into {@code program} at instruction {@code index} (host byte order). */
    public static void instruction(final byte[] program, final int index, final int code, final int jt, final int jf, final int k)
    {
        final int at = index * FILTER_SIZE;
        program[at] = (byte)code;
        program[at + 1] = (byte)(code >>> 8);
        program[at + 2] = (byte)jt;
        program[at + 3] = (byte)jf;
        program[at + 4] = (byte)k;
        program[at + 5] = (byte)(k >>> 8);
        program[at + 6] = (byte)(k >>> 16);
        program[at + 7] = (byte)(k >>> 24);
    }

    /** Writes a sockaddr_in at {@code offset} of {@code segment}. */
    public static void writeSockaddr(final MemorySegment segment, final long offset, final Inet4Address address, final int port)
    {
        final byte[] bytes = address.getAddress();
        writeSockaddr(segment, offset, (bytes[0] & 0xFF) << 24 | (bytes[1] & 0xFF) << 16 | (bytes[2] & 0xFF) << 8 | bytes[3] & 0xFF, port);
    }

    /** Writes a sockaddr_in for the IPv4 address {@code ipv4} (as an int, most significant byte first). */
    public static void writeSockaddr(final MemorySegment segment, final long offset, final int ipv4, final int port)
    {
        segment.set(JAVA_SHORT, offset, (short)AF_INET);
        segment.set(JAVA_SHORT, offset + 2, Short.reverseBytes((short)port));
        segment.set(JAVA_INT, offset + 4, Integer.reverseBytes(ipv4));
        segment.set(JAVA_LONG, offset + 8, 0L);
    }

    /** The IPv4 address of a sockaddr_in, as an int, most significant byte first. */
    public static int sockaddrAddress(final MemorySegment segment, final long offset)
    {
        return Integer.reverseBytes(segment.get(JAVA_INT, offset + 4));
    }

    /**
     * recvmmsg(2) without waiting: fills up to {@code count} messages of the mmsghdr array at {@code messages}.
     *
     * @return messages received, or {@code -errno} ({@code -EAGAIN} when none is waiting)
     */
    public static int recvmmsg(final int fd, final long messages, final int count)
    {
        try
        {
            return (int)RECVMMSG.invokeExact(NativeCall.state(), fd, messages, count, MSG_DONTWAIT, 0L);
        }
        catch (final Throwable ex)
        {
            throw NativeCall.failedToCall("recvmmsg", ex);
        }
    }

    /** sendmsg(2) of the msghdr at {@code msghdr}. @return bytes sent, or {@code -errno} */
    public static long sendmsg(final int fd, final long msghdr)
    {
        try
        {
            return (long)SENDMSG.invokeExact(NativeCall.state(), fd, msghdr, MSG_DONTWAIT);
        }
        catch (final Throwable ex)
        {
            throw NativeCall.failedToCall("sendmsg", ex);
        }
    }

    /**
     * sendmmsg(2) of {@code count} messages of the mmsghdr array at {@code messages}, blocking as the socket is.
     *
     * @return messages sent, or {@code -errno}
     */
    public static int sendmmsg(final int fd, final long messages, final int count)
    {
        try
        {
            return (int)SENDMMSG.invokeExact(NativeCall.state(), fd, messages, count, 0);
        }
        catch (final Throwable ex)
        {
            throw NativeCall.failedToCall("sendmmsg", ex);
        }
    }
}
