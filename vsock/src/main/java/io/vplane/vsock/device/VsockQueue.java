package io.vplane.vsock.device;

import io.vplane.engine.device.DeviceQueue;
import io.vplane.engine.device.QueueWakeup;
import io.vplane.engine.errors.ErrorLog;
import io.vplane.engine.linux.EpollEvent;
import io.vplane.engine.linux.EpollFd;
import io.vplane.engine.linux.FileIo;
import io.vplane.engine.linux.Sockets;
import io.vplane.engine.wakeup.EpollSet;
import io.vplane.virtio.virtq.DescriptorChain;
import io.vplane.virtio.virtq.RingWakeup;
import io.vplane.virtio.virtq.SplitVirtQueue;
import io.vplane.vsock.packet.ConnectLine;
import io.vplane.vsock.packet.VsockHeader;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static io.vplane.vsock.packet.VsockHeader.*;

/**
 * The whole data path of one vsock device as one engine queue: its three virtqueues (rx 0, tx 1,
 * event 2) and the host sockets of its streams, driven by the one worker that polls it. One queue
 * because the directions are coupled: a packet from the guest answers with a packet to it
 * (RESPONSE, RST, CREDIT_UPDATE), and credit taken on one side frees the other.
 * <p>
 * Each poll: harvest readiness (kicks, the hybrid listener, host sockets) with one epoll_wait,
 * take up to {@code limit} packets from tx and act on them, send the control packets owed, then
 * fill rx buffers straight from the host sockets with as much as the guest's credit allows. Used
 * entries are published once per ring per poll and the guest is called once.
 * <p>
 * Guest input is hostile: a packet with a bad header or length, for a stream it does not have, or
 * over its credit resets that stream only (RST, a counter, one log line per kind and repeat
 * window); a bad ring (address, chain, non-writable rx buffer) stops the device's rings until the
 * frontend sets them up again.
 */
final class VsockQueue implements DeviceQueue
{
    static final int RX = 0;
    static final int TX = 1;
    static final int EVENT = 2;
    static final int RINGS = 3;
    static final String COMPONENT = "vsock";

    private static final int ACCEPTS_PER_POLL = 16;
    private static final int HANDSHAKE_BYTES_PER_POLL = ConnectLine.MAX_LENGTH;
    /** virtio 1.2 §5.10.6.5: struct virtio_vsock_event { le32 id; }, id 0 is TRANSPORT_RESET. */
    private static final int EVENT_SIZE = 4;
    private static final int EVENT_TRANSPORT_RESET = 0;

    private final String device;
    private final long guestCid;
    private final int bufAlloc;
    private final int maxStreams;
    private final ErrorLog errors;
    private final VsockCounters counters;
    private final EpollSet wakeSet = EpollSet.withBell(8);
    private final RingGate gate;
    private final Arena arena = Arena.ofShared();
    private final VsockHeader header = new VsockHeader(arena);
    private final MemorySegment scratch = arena.allocate(64, 8);
    /** epoll_ctl's event for the worker's own changes of the wake set: nothing allocated per change. */
    private final MemorySegment epollEvent = arena.allocate(EpollEvent.SIZE, 8);
    private final ChainIo chainIo = new ChainIo();
    private final StreamTable streams;
    private final GuestRx guestRx;
    private final StreamDeadlines deadlines;
    private final java.util.function.Consumer<VsockConnection> handshakeExpired = this::handshakeExpired;
    private final java.util.function.Consumer<VsockConnection> requestExpired = this::requestExpired;
    private volatile HybridSocket hybrid;
    /** The frontend went away: streams are dropped by the worker at its next poll. */
    private volatile boolean dropStreams;
    /** A new session owes the guest a TRANSPORT_RESET on the event queue (its old streams are gone). */
    private volatile boolean resetEventOwed = true;
    private boolean hostSetWatched;

    private final QueueWakeup wakeup = new RingWakeup(wakeSet.fd(), this::armKicks, this::disarmKicks);

    VsockQueue(
        final String device, final long guestCid, final int bufAlloc, final int maxStreams, final StreamDeadlines deadlines,
        final ErrorLog errors, final VsockCounters counters)
    {
        this.device = device;
        this.guestCid = guestCid;
        this.bufAlloc = bufAlloc;
        this.maxStreams = maxStreams;
        this.errors = errors;
        this.counters = counters;
        this.gate = new RingGate(device, RINGS, errors, wakeSet);
        this.streams = new StreamTable(maxStreams, counters);
        this.guestRx = new GuestRx(guestCid, bufAlloc, streams, counters);
        this.deadlines = deadlines;
        wakeSet.add(deadlines.timerFd());
        watchHostSet(true);
    }

    @Override
    public int index()
    {
        return 0;
    }

    @Override
    public long backlog()
    {
        return 0;
    }

    @Override
    public QueueWakeup wakeup()
    {
        return wakeup;
    }

    RingGate gate()
    {
        return gate;
    }

    /** Control thread, at start: host programs may connect from now on. */
    void listen(final HybridSocket socket)
    {
        hybrid = socket;
        wakeSet.add(socket.listenFd());
        wakeSet.ringBell();
    }

    /** Control thread: the frontend is gone; the worker drops every stream and owes a transport reset. */
    void sessionClosed()
    {
        dropStreams = true;
        resetEventOwed = true;
        wakeSet.ringBell();
    }

    /** Streams open now; from any thread, approximate. */
    long streams()
    {
        return counters.streams.get();
    }

    @Override
    public int poll(final int limit)
    {
        gate.enter();
        try
        {
            if (dropStreams)
            {
                dropStreams = false;
                streams.dropAll();
                deadlines.clear();
            }
            final SplitVirtQueue rx = gate.ring(RX);
            final SplitVirtQueue tx = gate.ring(TX);
            int work = harvest();
            guestRx.begin();
            if (null != tx)
            {
                work += drainTx(tx, limit);
            }
            if (null != rx)
            {
                work += guestRx.sendControl(rx);
                work += serviceHosts(rx, limit);
                guestRx.finish(rx);
            }
            else
            {
                serviceHosts(null, limit);
            }
            if (!deadlines.isEmpty())
            {
                deadlines.expire(System.nanoTime(), handshakeExpired, requestExpired);
            }
            watchHostSet(!guestRx.starved());
            final SplitVirtQueue event = gate.ring(EVENT);
            if (null != event && resetEventOwed)
            {
                work += sendTransportReset(event);
            }
            return work;
        }
        catch (final RingFault fault)
        {
            counters.ringErrors.incrementRelease();
            errors.record(COMPONENT, "ring", device + ": " + fault.getMessage() + "; rings stopped until the frontend sets them up again");
            brokenRings();
            return 0;
        }
        catch (final Throwable ex)
        {
            // e.g. guest memory shrunk under a ring (SIGBUS as InternalError): this device stops, the worker goes on
            counters.ringErrors.incrementRelease();
            errors.record(COMPONENT, "access", device + ": " + ex + "; rings stopped until the frontend sets them up again");
            brokenRings();
            return 0;
        }
        finally
        {
            gate.exit();
        }
    }

    // ------------------------------------------------------------------------------------ readiness

    /** One epoll_wait over kicks, bell, listener and host sockets; kicks are read here. */
    private int harvest()
    {
        final int ready = wakeSet.await(0);
        boolean listenReady = false;
        for (int i = 0; i < ready; i++)
        {
            final int fd = wakeSet.readyFd(i);
            if (wakeSet.consumeIfBell(fd))
            {
                continue;
            }
            if (gate.isKick(fd))
            {
                FileIo.read(fd, scratch.address(), 8);
            }
            else if (fd == deadlines.timerFd())
            {
                deadlines.timerFired();
            }
            else if (null != hybrid && fd == hybrid.listenFd())
            {
                listenReady = true;
            }
        }
        return listenReady ? acceptHosts() : 0;
    }

    private void watchHostSet(final boolean watch)
    {
        if (watch != hostSetWatched)
        {
            // with no rx buffers a readable host socket must not keep the worker awake
            EpollFd.ctl(wakeSet.fd(), watch ? EpollFd.EPOLL_CTL_ADD : EpollFd.EPOLL_CTL_DEL, streams.epollFd(), EpollFd.EPOLLIN,
                epollEvent);
            hostSetWatched = watch;
        }
    }

    private boolean armKicks()
    {
        gate.enter();
        try
        {
            final SplitVirtQueue tx = gate.ring(TX);
            final SplitVirtQueue rx = gate.ring(RX);
            final SplitVirtQueue event = gate.ring(EVENT);
            if (null != tx)
            {
                tx.enableKicks();
                if (tx.available() != 0)
                {
                    return false;
                }
            }
            if (null != rx && (guestRx.starved() || streams.owesGuest()))
            {
                rx.enableKicks();
                if (rx.available() != 0)
                {
                    return false;
                }
            }
            if (null != event && resetEventOwed)
            {
                event.enableKicks();
                return event.available() == 0;
            }
            return true;
        }
        catch (final Throwable ex)
        {
            return false;
        }
        finally
        {
            gate.exit();
        }
    }

    private void disarmKicks()
    {
        gate.enter();
        try
        {
            for (int i = 0; i < RINGS; i++)
            {
                final SplitVirtQueue ring = gate.ring(i);
                if (null != ring)
                {
                    ring.suppressKicks();
                }
            }
        }
        catch (final Throwable ignore)
        {
            // the next poll meets the same fault and reports it
        }
        finally
        {
            gate.exit();
        }
    }

    // ------------------------------------------------------------------------------------ host side

    private int acceptHosts()
    {
        int accepted = 0;
        for (int i = 0; i < ACCEPTS_PER_POLL; i++)
        {
            final int fd = hybrid.accept();
            if (fd < 0)
            {
                break;
            }
            if (streams.full())
            {
                FileIo.close(fd);
                counters.refused.incrementRelease();
                errors.record(COMPONENT, "streams-full", device + ": " + maxStreams + " streams open; host connection refused");
                continue;
            }
            final VsockConnection connection = new VsockConnection(fd, bufAlloc, VsockConnection.State.HANDSHAKE);
            streams.addHandshake(connection);
            deadlines.handshakeStarted(connection, System.nanoTime());
            accepted++;
        }
        return accepted;
    }

    private int serviceHosts(final SplitVirtQueue rx, final int limit)
    {
        if (null == rx)
        {
            guestRx.absent();
        }
        final int ready = streams.harvest();
        int work = 0;
        for (int i = 0; i < ready; i++)
        {
            final VsockConnection connection = streams.ready(i);
            if (null == connection || connection.closed)
            {
                continue;
            }
            if (VsockConnection.State.HANDSHAKE == connection.state)
            {
                work += handshake(connection, null != rx);
                continue;
            }
            if (connection.hasPending())
            {
                work += flush(connection);
                if (connection.closed)
                {
                    continue;
                }
            }
            if (null != rx && (connection.interest & EpollFd.EPOLLIN) != 0)
            {
                work += guestRx.readHost(rx, connection, limit);
            }
        }
        return work;
    }

    /** Reads the CONNECT line byte by byte, so no byte of the stream after it leaves the socket. */
    private int handshake(final VsockConnection connection, final boolean guestUp)
    {
        for (int i = 0; i < HANDSHAKE_BYTES_PER_POLL; i++)
        {
            final long rc = FileIo.read(connection.fd, scratch.address(), 1);
            if (rc == 0 || (rc < 0 && !ChainIo.wouldBlock(rc)))
            {
                streams.close(connection);
                return 1;
            }
            if (rc < 0)
            {
                return 0;
            }
            final long port = connection.handshake.accept(scratch.get(ValueLayout.JAVA_BYTE, 0));
            if (port == ConnectLine.BAD)
            {
                counters.badHandshakes.incrementRelease();
                errors.record(COMPONENT, "handshake", device + ": host connection sent '" + connection.handshake.text() +
                    "', not CONNECT <port>; closed");
                streams.close(connection);
                return 1;
            }
            if (port >= 0 && !guestUp)
            {
                // No guest driver to send the REQUEST to: refuse now rather than hold the stream
                // (and its slot of maxStreams) until a guest that may never come answers.
                counters.refused.incrementRelease();
                errors.record(COMPONENT, "no-guest", device + ": host connection to guest port " + port +
                    " refused: no guest driver is up");
                streams.close(connection);
                return 1;
            }
            if (port >= 0)
            {
                connection.handshake = null;
                connection.peerPort = (int)port;
                connection.localPort = streams.freeEphemeralPort(connection.peerPort);
                connection.state = VsockConnection.State.REQUESTED;
                streams.keyed(connection);
                streams.owe(connection, VsockConnection.SEND_REQUEST);
                streams.interest(connection);
                deadlines.requestStarted(connection, System.nanoTime());
                return 1;
            }
        }
        return 0;
    }

    /** The host program did not finish its CONNECT line in time: closed, as a bad handshake would be. */
    private void handshakeExpired(final VsockConnection connection)
    {
        counters.handshakeTimeouts.incrementRelease();
        errors.record(COMPONENT, "handshake-timeout", device + ": host connection sent '" + connection.handshake.text() +
            "' and no end of line within " + deadlines.handshakeTimeoutNs() / 1_000_000 + " ms; closed");
        streams.close(connection);
    }

    /**
     * The guest answered the REQUEST neither with RESPONSE nor RST in time (Firecracker: 2 s): as
     * there, the host program's socket is closed without an OK line and the guest gets RST for the
     * port pair, so a late RESPONSE finds no stream.
     */
    private void requestExpired(final VsockConnection connection)
    {
        counters.requestTimeouts.incrementRelease();
        errors.record(COMPONENT, "request-timeout", device + ": guest did not answer the connection to its port " +
            Integer.toUnsignedString(connection.peerPort) + " within " + deadlines.requestTimeoutNs() / 1_000_000 +
            " ms; host connection closed, RST sent");
        streams.reset(connection);
    }

    private int flush(final VsockConnection connection)
    {
        final long rc = connection.flush();
        if (rc < 0)
        {
            streams.reset(connection);
            return 1;
        }
        forwarded(connection, rc);
        return rc > 0 ? 1 : 0;
    }

    /** {@code n} more guest bytes reached the host socket: credit back to the guest, shutdowns finished. */
    private void forwarded(final VsockConnection connection, final long n)
    {
        connection.fwdCnt += (int)n;
        if (connection.creditUpdateDue())
        {
            streams.owe(connection, VsockConnection.SEND_CREDIT_UPDATE);
        }
        if (!connection.hasPending())
        {
            finishGuestShutdown(connection);
        }
        if (!connection.closed)
        {
            streams.interest(connection);
        }
    }

    /** After the guest's SHUTDOWN, once what it sent has reached the host socket. */
    private void finishGuestShutdown(final VsockConnection connection)
    {
        if ((connection.guestShutdown & SHUTDOWN_BOTH) == SHUTDOWN_BOTH)
        {
            // Linux waits for this RST to finish its close (af_vsock VSOCK_CLOSE_TIMEOUT otherwise)
            streams.closeWithRst(connection);
            return;
        }
        if ((connection.guestShutdown & SHUTDOWN_SEND) != 0 && !connection.hostWriteShut)
        {
            connection.hostWriteShut = true;
            Sockets.shutdown(connection.fd, Sockets.SHUT_WR);
        }
    }

    // ------------------------------------------------------------------------------------ guest tx

    private int drainTx(final SplitVirtQueue tx, final int limit)
    {
        final int available = tx.available();
        if (available < 0)
        {
            throw new RingFault("tx: " + SplitVirtQueue.describeError(available));
        }
        final int take = Math.min(available, limit);
        final DescriptorChain chain = tx.chain();
        for (int i = 0; i < take; i++)
        {
            final int head = tx.takeHead();
            final int rc = tx.walk(head, chain);
            if (rc != SplitVirtQueue.OK)
            {
                throw new RingFault("tx: " + SplitVirtQueue.describeError(rc));
            }
            onGuestPacket(chain);
            tx.addUsed(head, 0);
        }
        if (take > 0)
        {
            tx.publishUsed();
            tx.notifyIfWanted();
        }
        return take;
    }

    private void onGuestPacket(final DescriptorChain chain)
    {
        final long total = chain.totalLength();
        if (total < SIZE)
        {
            badPacket("short", total + "-byte packet, shorter than its header");
            return;
        }
        for (int i = 0; i < chain.count(); i++)
        {
            if (chain.writable(i))
            {
                badPacket("writable", "tx packet with a device-writable buffer");
                return;
            }
        }
        chainIo.gather(chain, 0, header.buffer(), SIZE);
        final long srcCid = header.srcCid();
        final long dstCid = header.dstCid();
        if (srcCid != guestCid || dstCid != HOST_CID)
        {
            badPacket("cid", "packet from cid " + srcCid + " to cid " + dstCid + " (guest is " + guestCid + ", host " + HOST_CID + ")");
            return;
        }
        final int op = header.op();
        final long key = VsockConnection.key(header.dstPort(), header.srcPort());
        final VsockConnection connection = streams.byKey(key);
        if (!header.isValid(total - SIZE))
        {
            badPacket("header", opName(op) + " type " + header.type() + " len " + header.len() + " in a " + (total - SIZE) +
                "-byte payload");
            if (null != connection)
            {
                streams.reset(connection);
            }
            else if (op != OP_RST)
            {
                counters.resets.incrementRelease();
                streams.orphanRst(key);
            }
            return;
        }
        if (null == connection)
        {
            if (op == OP_REQUEST)
            {
                guestConnect(header.dstPort(), header.srcPort());
            }
            else if (op != OP_RST)
            {
                // a packet for no stream is answered with RST (virtio 1.2 §5.10.6.6)
                counters.resets.incrementRelease();
                streams.orphanRst(key);
            }
            return;
        }
        connection.peerCredit(header.bufAlloc(), header.fwdCnt());
        switch (op)
        {
            case OP_REQUEST -> streams.reset(connection);
            case OP_RESPONSE -> guestAccepted(connection);
            case OP_RST ->
            {
                counters.resets.incrementRelease();
                streams.close(connection);
            }
            case OP_SHUTDOWN -> guestShutdown(connection, header.flags());
            case OP_RW -> guestData(connection, chain, (int)header.len());
            case OP_CREDIT_UPDATE -> creditArrived(connection);
            default -> streams.owe(connection, VsockConnection.SEND_CREDIT_UPDATE);
        }
    }

    /** The guest connects to host port {@code port}: whoever listens on udsPath_port gets the stream. */
    private void guestConnect(final int port, final int peerPort)
    {
        final long key = VsockConnection.key(port, peerPort);
        if (streams.full() || null == hybrid)
        {
            counters.refused.incrementRelease();
            streams.orphanRst(key);
            return;
        }
        final int fd = hybrid.connectToPort(port);
        if (fd < 0)
        {
            // nobody listens: the guest's connect() fails with ECONNRESET, as against a closed port
            counters.refused.incrementRelease();
            streams.orphanRst(key);
            return;
        }
        final VsockConnection connection = new VsockConnection(fd, bufAlloc, VsockConnection.State.ESTABLISHED);
        connection.localPort = port;
        connection.peerPort = peerPort;
        connection.peerCredit(header.bufAlloc(), header.fwdCnt());
        streams.addEstablished(connection);
        streams.owe(connection, VsockConnection.SEND_RESPONSE);
    }

    /** RESPONSE to the device's REQUEST: tell the host program, then the stream flows. */
    private void guestAccepted(final VsockConnection connection)
    {
        if (VsockConnection.State.REQUESTED != connection.state)
        {
            streams.reset(connection);
            return;
        }
        connection.state = VsockConnection.State.ESTABLISHED;
        final byte[] ok = ConnectLine.ok(connection.localPort);
        MemorySegment.copy(ok, 0, scratch, ValueLayout.JAVA_BYTE, 0, ok.length);
        if (FileIo.write(connection.fd, scratch.address(), ok.length) != ok.length)
        {
            streams.reset(connection);
            return;
        }
        streams.interest(connection);
    }

    private void guestShutdown(final VsockConnection connection, final int flags)
    {
        connection.guestShutdown |= flags & SHUTDOWN_BOTH;
        if (!connection.hasPending())
        {
            finishGuestShutdown(connection);
        }
        if (!connection.closed)
        {
            streams.interest(connection);
        }
    }

    private void guestData(final VsockConnection connection, final DescriptorChain chain, final int len)
    {
        if (VsockConnection.State.ESTABLISHED != connection.state || (connection.guestShutdown & SHUTDOWN_SEND) != 0)
        {
            badPacket("state", "RW on a stream that is " + connection.state + " (guest shutdown " + connection.guestShutdown + ")");
            streams.reset(connection);
            return;
        }
        if (len > connection.freeForGuest())
        {
            counters.badPackets.incrementRelease();
            errors.record(COMPONENT, "credit", device + ": guest sent " + len + " bytes with " + connection.freeForGuest() +
                " of credit on port " + Integer.toUnsignedString(connection.localPort) + "; stream reset");
            streams.reset(connection);
            return;
        }
        connection.rxCnt += len;
        counters.fromGuestBytes.getAndAddRelease(len);
        long written = 0;
        if (!connection.hasPending() && !connection.hostWriteShut)
        {
            written = chainIo.writeTo(connection.fd, chain, SIZE, len);
            if (written < 0)
            {
                // the host program is gone
                streams.reset(connection);
                return;
            }
        }
        if (written < len)
        {
            keep(connection, chain, SIZE + written, len - written);
        }
        forwarded(connection, written);
    }

    /** The host socket is full: the rest waits in the stream's own buffer (within its credit). */
    private void keep(final VsockConnection connection, final DescriptorChain chain, final long from, final long n)
    {
        for (final ChainCursor piece = chainIo.pieces(chain, from, n); piece.next(); )
        {
            connection.keep(piece.segment(), piece.offset(), piece.length());
        }
    }

    private void creditArrived(final VsockConnection connection)
    {
        if (connection.creditStalled && connection.peerCredit() > 0)
        {
            connection.creditStalled = false;
        }
        streams.interest(connection);
    }

    private int sendTransportReset(final SplitVirtQueue event)
    {
        final int available = event.available();
        if (available <= 0)
        {
            return 0;
        }
        final int head = event.takeHead();
        final DescriptorChain chain = event.chain();
        if (event.walk(head, chain) != SplitVirtQueue.OK || chain.totalLength() < EVENT_SIZE || !chain.writable(0))
        {
            throw new RingFault("event: chain " + head + " cannot hold an event");
        }
        scratch.set(ValueLayout.JAVA_INT_UNALIGNED, 0, EVENT_TRANSPORT_RESET);
        chainIo.scatter(scratch, EVENT_SIZE, chain, 0);
        event.addUsed(head, EVENT_SIZE);
        event.publishUsed();
        event.notifyIfWanted();
        resetEventOwed = false;
        return 1;
    }

    // ------------------------------------------------------------------------------------ streams

    private void badPacket(final String kind, final String detail)
    {
        counters.badPackets.incrementRelease();
        errors.record(COMPONENT, "packet-" + kind, device + ": " + detail);
    }

    private void brokenRings()
    {
        for (int i = 0; i < RINGS; i++)
        {
            gate.breakRing(i);
        }
    }

    /** Control thread, device closing (queues unbound): closes every stream and the fds of the queue. */
    void close()
    {
        streams.closeAll();
        deadlines.close();
        guestRx.close();
        wakeSet.close();
        arena.close();
    }
}
