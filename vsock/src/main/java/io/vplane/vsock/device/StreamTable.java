package io.vplane.vsock.device;

import io.vplane.engine.linux.EpollEvent;
import io.vplane.engine.linux.EpollFd;
import io.vplane.engine.wakeup.EpollSet;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.collections.Long2ObjectHashMap;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;

import static io.vplane.vsock.packet.VsockHeader.SHUTDOWN_RCV;

/**
 * The streams of one device, owned by its worker: found by ports (the guest's packets) and by host
 * fd (readiness), with what each owes the guest (control packets queued in order) and the RSTs owed
 * for streams that no longer exist (a bounded ring), and the epoll set of their host sockets with
 * what each is waited for.
 */
final class StreamTable
{
    private static final int MAX_HOST_EVENTS = 64;
    private static final int ORPHAN_RSTS = 256;
    /** Firecracker's first host-side ephemeral port; guest ports below it are the usual services. */
    private static final int FIRST_EPHEMERAL_PORT = 1 << 30;

    private final int maxStreams;
    private final VsockCounters counters;
    private final EpollSet hostSet = EpollSet.plain(MAX_HOST_EVENTS);
    /** epoll_ctl's event for the worker's own changes: nothing allocated per change. */
    private final Arena arena = Arena.ofShared();
    private final MemorySegment event = arena.allocate(EpollEvent.SIZE, 8);
    private final Long2ObjectHashMap<VsockConnection> byKey = new Long2ObjectHashMap<>();
    private final Int2ObjectHashMap<VsockConnection> byFd = new Int2ObjectHashMap<>();
    private final ArrayDeque<VsockConnection> owed;
    private final long[] orphanRsts = new long[ORPHAN_RSTS];
    private int orphanHead;
    private int orphanCount;
    private int nextEphemeral = FIRST_EPHEMERAL_PORT;

    StreamTable(final int maxStreams, final VsockCounters counters)
    {
        this.maxStreams = maxStreams;
        this.counters = counters;
        this.owed = new ArrayDeque<>(maxStreams + 1);
    }

    /** The epoll set of the host sockets, which the device's wake set watches while rx buffers are free. */
    int epollFd()
    {
        return hostSet.fd();
    }

    boolean full()
    {
        return byFd.size() >= maxStreams;
    }

    VsockConnection byKey(final long key)
    {
        return byKey.get(key);
    }

    /** Host sockets ready now (epoll, no wait); each read with {@link #ready(int)}. */
    int harvest()
    {
        return hostSet.await(0);
    }

    VsockConnection ready(final int i)
    {
        return byFd.get(hostSet.readyFd(i));
    }

    /** A host program connected to the hybrid socket: it has a line to send first. */
    void addHandshake(final VsockConnection connection)
    {
        byFd.put(connection.fd, connection);
        connection.interest = EpollFd.EPOLLIN;
        EpollFd.ctl(hostSet.fd(), EpollFd.EPOLL_CTL_ADD, connection.fd, EpollFd.EPOLLIN, event);
    }

    /** A host program's handshake named its port: the stream gets its ports and is known to the guest from now on. */
    void keyed(final VsockConnection connection)
    {
        byKey.put(connection.key(), connection);
        opened();
    }

    /** A stream the guest asked for and the host accepted. */
    void addEstablished(final VsockConnection connection)
    {
        byKey.put(connection.key(), connection);
        byFd.put(connection.fd, connection);
        EpollFd.ctl(hostSet.fd(), EpollFd.EPOLL_CTL_ADD, connection.fd, 0, event);
        connection.interest = 0;
        opened();
    }

    int freeEphemeralPort(final int peerPort)
    {
        while (true)
        {
            final int port = nextEphemeral++;
            if (nextEphemeral == 0)
            {
                nextEphemeral = FIRST_EPHEMERAL_PORT;
            }
            if (!byKey.containsKey(VsockConnection.key(port, peerPort)))
            {
                return port;
            }
        }
    }

    private void opened()
    {
        counters.streamsOpened.incrementRelease();
        counters.streams.incrementRelease();
    }

    /** What the host socket is waited for: data only with credit and nothing owed first, space while bytes wait. */
    void interest(final VsockConnection connection)
    {
        int want = 0;
        if (VsockConnection.State.HANDSHAKE == connection.state)
        {
            want = EpollFd.EPOLLIN;
        }
        else if (VsockConnection.State.ESTABLISHED == connection.state &&
            (connection.owedControl & (VsockConnection.SEND_REQUEST | VsockConnection.SEND_RESPONSE)) == 0 &&
            !connection.hostEof && (connection.guestShutdown & SHUTDOWN_RCV) == 0 && connection.peerCredit() > 0)
        {
            want = EpollFd.EPOLLIN;
        }
        if (connection.hasPending())
        {
            want |= EpollFd.EPOLLOUT;
        }
        if (want != connection.interest)
        {
            connection.interest = want;
            EpollFd.ctl(hostSet.fd(), EpollFd.EPOLL_CTL_MOD, connection.fd, want, event);
        }
    }

    void owe(final VsockConnection connection, final int what)
    {
        connection.owedControl |= what;
        if (!connection.queuedForControl)
        {
            connection.queuedForControl = true;
            owed.addLast(connection);
        }
    }

    /** True while any stream owes the guest a packet, or an RST is owed. */
    boolean owesGuest()
    {
        return !owed.isEmpty() || orphanCount > 0;
    }

    /** The next stream with something owed, or null; finished ones are dropped on the way. */
    VsockConnection nextOwing()
    {
        while (!owed.isEmpty())
        {
            final VsockConnection connection = owed.peekFirst();
            if (!connection.closed && connection.owedControl != 0)
            {
                return connection;
            }
            owed.pollFirst();
            connection.queuedForControl = false;
        }
        return null;
    }

    int orphanRsts()
    {
        return orphanCount;
    }

    /** The ports (local << 32 | peer) of the next RST owed for a stream that is gone. */
    long takeOrphanRst()
    {
        final long key = orphanRsts[orphanHead];
        orphanHead = (orphanHead + 1) % ORPHAN_RSTS;
        orphanCount--;
        return key;
    }

    void orphanRst(final long key)
    {
        if (orphanCount == ORPHAN_RSTS)
        {
            // the guest gives no rx buffers and floods: its stale streams time out on their own
            return;
        }
        orphanRsts[(orphanHead + orphanCount) % ORPHAN_RSTS] = key;
        orphanCount++;
    }

    /** Ends a stream the guest knows with RST for a fault or refusal (counted). */
    void reset(final VsockConnection connection)
    {
        counters.resets.incrementRelease();
        closeWithRst(connection);
    }

    /** Ends a stream with the RST the guest expects (the end of its close, or a fault). */
    void closeWithRst(final VsockConnection connection)
    {
        if (VsockConnection.State.HANDSHAKE != connection.state)
        {
            orphanRst(connection.key());
        }
        close(connection);
    }

    void close(final VsockConnection connection)
    {
        if (connection.closed)
        {
            return;
        }
        EpollFd.ctl(hostSet.fd(), EpollFd.EPOLL_CTL_DEL, connection.fd, 0, event);
        byFd.remove(connection.fd);
        if (VsockConnection.State.HANDSHAKE != connection.state)
        {
            byKey.remove(connection.key());
            counters.streams.getAndAddRelease(-1);
        }
        connection.close();
    }

    /** The frontend is gone: every host socket closed (its program reads end of stream), nothing owed. */
    void dropAll()
    {
        for (final VsockConnection connection : byFd.values().toArray(new VsockConnection[0]))
        {
            if (VsockConnection.State.HANDSHAKE != connection.state)
            {
                counters.streamsDropped.incrementRelease();
            }
            close(connection);
        }
        owed.clear();
        orphanCount = 0;
    }

    void closeAll()
    {
        dropAll();
        hostSet.close();
        arena.close();
    }
}
