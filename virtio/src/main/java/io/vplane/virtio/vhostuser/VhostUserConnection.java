package io.vplane.virtio.vhostuser;

import io.vplane.engine.linux.CmsgHdr;
import io.vplane.engine.linux.Errno;
import io.vplane.engine.linux.FileIo;
import io.vplane.engine.linux.Iovec;
import io.vplane.engine.linux.MsgHdr;
import io.vplane.engine.linux.Poll;
import io.vplane.engine.linux.Sockets;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * One vhost-user stream socket. Messages are read with recvmsg so that the fds sent with a header
 * (SCM_RIGHTS, up to {@link VhostUserMessage#MAX_FDS}) arrive with it; replies are written with
 * sendmsg. Used by one thread at a time (the connection's control thread).
 */
public final class VhostUserConnection implements AutoCloseable
{
    /** Result of {@link #receive}. */
    public enum Received
    {
        MESSAGE,
        /** The peer closed the socket between messages. */
        CLOSED,
        /** The peer vanished inside a message, or the socket failed. */
        TRUNCATED,
        /** A size field larger than {@link VhostUserMessage#MAX_PAYLOAD_SIZE}; the stream cannot resync. */
        OVERSIZED,
        /** More fds than one message may carry; every one of them was closed. */
        TOO_MANY_FDS
    }

    /** Control space for twice the allowed fds, so a peer that sends too many is seen, not truncated silently. */
    private static final int CONTROL_FDS = 2 * VhostUserMessage.MAX_FDS;
    private static final int CONTROL_SIZE = CmsgHdr.HEADER_SIZE + CONTROL_FDS * Integer.BYTES;

    /**
     * Default for the time one reply may take to leave, or the rest of a message to arrive: a
     * frontend answers in microseconds, and the control thread serves nothing else meanwhile.
     */
    public static final long IO_TIMEOUT_MS = 2_000;

    private final int fd;
    private final long ioTimeoutNs;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment msghdr;
    private final MemorySegment iovec;
    private final MemorySegment control;
    private boolean tooManyFds;
    private volatile boolean closed;

    public VhostUserConnection(final int fd)
    {
        this(fd, IO_TIMEOUT_MS);
    }

    /**
     * @param ioTimeoutMs how long one send or one receive inside a message may block before the
     *                    connection counts as failed (a frontend that does not read its replies)
     */
    public VhostUserConnection(final int fd, final long ioTimeoutMs)
    {
        Sockets.setTimeouts(fd, ioTimeoutMs);
        this.ioTimeoutNs = ioTimeoutMs * 1_000_000L;
        this.fd = fd;
        this.msghdr = arena.allocate(MsgHdr.SIZE, 8);
        this.iovec = arena.allocate(Iovec.SIZE, 8);
        this.control = arena.allocate(CONTROL_SIZE, 8);
    }

    public int fd()
    {
        return fd;
    }

    /** Waits up to {@code timeoutMs} for data; true when a receive would not block. */
    public boolean awaitReadable(final int timeoutMs)
    {
        return Poll.awaitReadable(fd, timeoutMs) > 0;
    }

    /**
     * Reads one whole message: its header with the fds sent alongside, then its payload.
     */
    public Received receive(final VhostUserMessage message)
    {
        message.closeFds(FileIo::close);
        tooManyFds = false;
        final MemorySegment buffer = message.buffer();
        final long header = readFully(buffer, 0, VhostUserMessage.HEADER_SIZE, message);
        if (header == 0)
        {
            return Received.CLOSED;
        }
        if (header < VhostUserMessage.HEADER_SIZE)
        {
            return Received.TRUNCATED;
        }
        final int size = message.size();
        if (size < 0 || size > VhostUserMessage.MAX_PAYLOAD_SIZE)
        {
            message.closeFds(FileIo::close);
            return Received.OVERSIZED;
        }
        if (size > 0 && readFully(buffer, VhostUserMessage.HEADER_SIZE, size, message) < size)
        {
            message.closeFds(FileIo::close);
            return Received.TRUNCATED;
        }
        if (tooManyFds)
        {
            message.closeFds(FileIo::close);
            return Received.TOO_MANY_FDS;
        }
        return Received.MESSAGE;
    }

    /** Sends header and payload of {@code message} (no fds). @return false when the socket failed */
    public boolean send(final VhostUserMessage message)
    {
        final int length = message.totalLength();
        // a peer that reads a byte at a time restarts SO_SNDTIMEO on every byte: the whole reply has one deadline
        final long deadline = System.nanoTime() + ioTimeoutNs;
        int sent = 0;
        while (sent < length)
        {
            if (sent > 0 && System.nanoTime() - deadline > 0)
            {
                return false;
            }
            iovec.set(ADDRESS, 0, message.buffer().asSlice(sent));
            iovec.set(JAVA_LONG, 8, length - sent);
            msghdr.fill((byte)0);
            msghdr.set(ADDRESS, MsgHdr.IOV_OFFSET, iovec);
            msghdr.set(JAVA_LONG, MsgHdr.IOVLEN_OFFSET, 1L);
            final long rc = Sockets.sendmsg(fd, msghdr, Sockets.MSG_NOSIGNAL);
            if (rc == -Errno.EINTR)
            {
                continue;
            }
            if (rc <= 0)
            {
                return false;
            }
            sent += (int)rc;
        }
        return true;
    }

    /**
     * Sends a whole message with {@code fds} attached to its first byte (SCM_RIGHTS), as a
     * frontend does. @return false when the socket failed
     */
    public boolean send(final VhostUserMessage message, final int[] fds)
    {
        if (fds.length == 0)
        {
            return send(message);
        }
        if (fds.length > CONTROL_FDS)
        {
            throw new IllegalArgumentException("at most " + CONTROL_FDS + " fds, got " + fds.length);
        }
        final int length = message.totalLength();
        iovec.set(ADDRESS, 0, message.buffer());
        iovec.set(JAVA_LONG, 8, length);
        control.fill((byte)0);
        final long cmsgLength = CmsgHdr.HEADER_SIZE + (long)fds.length * Integer.BYTES;
        control.set(JAVA_LONG, 0, cmsgLength);
        control.set(JAVA_INT, 8, CmsgHdr.SOL_SOCKET);
        control.set(JAVA_INT, 12, CmsgHdr.SCM_RIGHTS);
        for (int i = 0; i < fds.length; i++)
        {
            control.set(JAVA_INT, CmsgHdr.HEADER_SIZE + (long)i * Integer.BYTES, fds[i]);
        }
        msghdr.fill((byte)0);
        msghdr.set(ADDRESS, MsgHdr.IOV_OFFSET, iovec);
        msghdr.set(JAVA_LONG, MsgHdr.IOVLEN_OFFSET, 1L);
        msghdr.set(ADDRESS, MsgHdr.CONTROL_OFFSET, control);
        msghdr.set(JAVA_LONG, MsgHdr.CONTROLLEN_OFFSET, (cmsgLength + 7) & ~7L);
        final long rc = Sockets.sendmsg(fd, msghdr, Sockets.MSG_NOSIGNAL);
        return rc == length;
    }

    public boolean isClosed()
    {
        return closed;
    }

    @Override
    public void close()
    {
        if (!closed)
        {
            closed = true;
            FileIo.close(fd);
            arena.close();
        }
    }

    /** @return bytes read; fewer than asked when the peer closed or the socket failed */
    private long readFully(final MemorySegment buffer, final int offset, final int length, final VhostUserMessage message)
    {
        int read = 0;
        while (read < length)
        {
            iovec.set(ADDRESS, 0, buffer.asSlice(offset + read));
            iovec.set(JAVA_LONG, 8, length - read);
            msghdr.fill((byte)0);
            msghdr.set(ADDRESS, MsgHdr.IOV_OFFSET, iovec);
            msghdr.set(JAVA_LONG, MsgHdr.IOVLEN_OFFSET, 1L);
            msghdr.set(ADDRESS, MsgHdr.CONTROL_OFFSET, control);
            msghdr.set(JAVA_LONG, MsgHdr.CONTROLLEN_OFFSET, (long)CONTROL_SIZE);
            final long rc = Sockets.recvmsg(fd, msghdr, Sockets.MSG_CMSG_CLOEXEC);
            if (rc == -Errno.EINTR)
            {
                continue;
            }
            if (rc > 0)
            {
                collectFds(message);
                read += (int)rc;
            }
            else
            {
                return read;
            }
        }
        return read;
    }

    private void collectFds(final VhostUserMessage message)
    {
        if ((msghdr.get(JAVA_INT, MsgHdr.FLAGS_OFFSET) & Sockets.MSG_CTRUNC) != 0)
        {
            // the kernel dropped fds that did not fit: more than this connection ever accepts
            tooManyFds = true;
        }
        final long controlLength = msghdr.get(JAVA_LONG, MsgHdr.CONTROLLEN_OFFSET);
        long offset = 0;
        while (offset + CmsgHdr.HEADER_SIZE <= controlLength)
        {
            final long cmsgLength = control.get(JAVA_LONG, offset);
            final int level = control.get(JAVA_INT, offset + 8);
            final int type = control.get(JAVA_INT, offset + 12);
            if (cmsgLength < CmsgHdr.HEADER_SIZE || offset + cmsgLength > controlLength)
            {
                break;
            }
            if (level == CmsgHdr.SOL_SOCKET && type == CmsgHdr.SCM_RIGHTS)
            {
                final int count = (int)((cmsgLength - CmsgHdr.HEADER_SIZE) / Integer.BYTES);
                for (int i = 0; i < count; i++)
                {
                    final int received = control.get(JAVA_INT, offset + CmsgHdr.HEADER_SIZE + (long)i * Integer.BYTES);
                    if (!message.addFd(received))
                    {
                        FileIo.close(received);
                        tooManyFds = true;
                    }
                }
            }
            offset += (cmsgLength + 7) & ~7L;
        }
    }
}
