package io.vplane.vsock.device;

import io.vplane.engine.linux.FileIo;
import io.vplane.vsock.packet.ConnectLine;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * One stream between a host socket and a guest socket: its ports, its state, and the credit of
 * both directions (virtio 1.2 §5.10.6.3). Owned by the worker that polls the device.
 * <p>
 * Guest to host: the device offers {@code bufAlloc} bytes; bytes the host socket does not take at
 * once wait in {@link #pending}, so {@code rxCnt - fwdCnt} (bytes taken from the guest minus bytes
 * handed to the host) never exceeds {@code bufAlloc} unless the guest ignores its credit, which
 * resets the stream. Host to guest: the device sends at most what the guest's last
 * {@code buf_alloc} / {@code fwd_cnt} allow. All counters are u32 and compared wrap-safe.
 */
final class VsockConnection
{
    enum State
    {
        /** A host program connected to the hybrid socket and has not finished its CONNECT line. */
        HANDSHAKE,
        /** The device asked the guest (REQUEST) and waits for RESPONSE or RST. */
        REQUESTED,
        ESTABLISHED
    }

    /** Control packets this connection owes the guest, sent as rx buffers allow. */
    static final int SEND_REQUEST = 1;
    static final int SEND_RESPONSE = 2;
    static final int SEND_CREDIT_UPDATE = 4;
    static final int SEND_CREDIT_REQUEST = 8;
    static final int SEND_SHUTDOWN = 16;

    final int fd;
    final int bufAlloc;
    State state;
    /** The host side's port (dst of the guest's packets) and the guest's. */
    int localPort;
    int peerPort;
    ConnectLine handshake;

    /** Bytes taken from the guest, bytes handed on to the host socket, and the fwd_cnt last told. */
    int rxCnt;
    int fwdCnt;
    int fwdCntSent;
    /** Bytes sent to the guest, and its last buf_alloc / fwd_cnt. */
    int txCnt;
    int peerBufAlloc;
    int peerFwdCnt;

    int owedControl;
    boolean queuedForControl;
    /** The host closed its sending side (read gave end of stream). */
    boolean hostEof;
    /** SHUTDOWN flags the device owes the guest (SEND after the host's end of stream). */
    int shutdownFlags;
    /** SHUTDOWN flags the guest sent. */
    int guestShutdown;
    /** The host's sending side was shut down after the guest's SHUTDOWN(SEND). */
    boolean hostWriteShut;
    boolean creditStalled;
    boolean closed;
    /** What the host fd is registered for in the device's epoll set. */
    int interest;
    /** While HANDSHAKE or REQUESTED: when waiting ends ({@link System#nanoTime()}); see {@link StreamDeadlines}. */
    long deadlineNs;

    /** Guest bytes the host socket has not taken yet: a ring of {@code bufAlloc} bytes, made on first need. */
    private Arena arena;
    private MemorySegment pending;
    private long pendingHead;
    private long pendingBytes;

    VsockConnection(final int fd, final int bufAlloc, final State state)
    {
        this.fd = fd;
        this.bufAlloc = bufAlloc;
        this.state = state;
        if (State.HANDSHAKE == state)
        {
            handshake = new ConnectLine();
        }
    }

    static long key(final int localPort, final int peerPort)
    {
        return (long)localPort << 32 | (peerPort & 0xFFFF_FFFFL);
    }

    long key()
    {
        return key(localPort, peerPort);
    }

    /** Bytes the guest may still send to us as far as our own count goes (what it was told is less or equal). */
    long freeForGuest()
    {
        return bufAlloc - (long)(rxCnt - fwdCnt);
    }

    /** Bytes the device may send the guest now. */
    long peerCredit()
    {
        return Math.max(0, (peerBufAlloc & 0xFFFF_FFFFL) - ((txCnt - peerFwdCnt) & 0xFFFF_FFFFL));
    }

    /** The guest's view of its credit fell below half: tell it what the host has taken since. */
    boolean creditUpdateDue()
    {
        final long guestView = bufAlloc - (long)(rxCnt - fwdCntSent);
        return fwdCnt != fwdCntSent && guestView < bufAlloc / 2;
    }

    void peerCredit(final int bufAllocOfPeer, final int fwdCntOfPeer)
    {
        peerBufAlloc = bufAllocOfPeer;
        peerFwdCnt = fwdCntOfPeer;
    }

    boolean hasPending()
    {
        return pendingBytes > 0;
    }

    /** Keeps guest bytes the host socket did not take; the credit check guarantees they fit. */
    void keep(final MemorySegment from, final long offset, final long n)
    {
        if (null == pending)
        {
            arena = Arena.ofShared();
            pending = arena.allocate(bufAlloc, 8);
        }
        long copied = 0;
        while (copied < n)
        {
            final long tail = (pendingHead + pendingBytes) % bufAlloc;
            final long chunk = Math.min(n - copied, bufAlloc - tail);
            MemorySegment.copy(from, offset + copied, pending, tail, chunk);
            pendingBytes += chunk;
            copied += chunk;
        }
    }

    /**
     * Writes kept bytes to the host socket until it would block.
     *
     * @return bytes written, or {@code -errno} on a failure
     */
    long flush()
    {
        long written = 0;
        while (pendingBytes > 0)
        {
            final long chunk = Math.min(pendingBytes, bufAlloc - pendingHead);
            final long rc = FileIo.write(fd, pending.address() + pendingHead, chunk);
            if (rc < 0)
            {
                return ChainIo.wouldBlock(rc) ? written : rc;
            }
            pendingHead = (pendingHead + rc) % bufAlloc;
            pendingBytes -= rc;
            written += rc;
            if (rc < chunk)
            {
                break;
            }
        }
        return written;
    }

    /** Closes the host socket and frees the pending bytes. */
    void close()
    {
        if (!closed)
        {
            closed = true;
            FileIo.close(fd);
            if (null != arena)
            {
                arena.close();
                arena = null;
                pending = null;
            }
        }
    }
}
