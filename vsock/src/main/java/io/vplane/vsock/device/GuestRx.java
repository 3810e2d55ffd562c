package io.vplane.vsock.device;

import io.vplane.virtio.virtq.DescriptorChain;
import io.vplane.virtio.virtq.SplitVirtQueue;
import io.vplane.vsock.packet.VsockHeader;

import java.lang.foreign.Arena;

import static io.vplane.vsock.packet.VsockHeader.*;

/**
 * What the device puts into the guest's rx ring during one poll: the control packets owed (RSTs
 * for streams that are gone first, then each stream's REQUEST, RESPONSE, CREDIT_UPDATE,
 * CREDIT_REQUEST, SHUTDOWN in order) and RW packets filled straight from host sockets within the
 * guest's credit. Takes rx chains one at a time, gives back one it could not fill, and publishes
 * the used entries once per poll. Owned by the worker that polls the device.
 */
final class GuestRx implements AutoCloseable
{
    private final long guestCid;
    private final int bufAlloc;
    private final StreamTable streams;
    private final VsockCounters counters;
    private final Arena arena = Arena.ofShared();
    private final VsockHeader header = new VsockHeader(arena);
    private final ChainIo chainIo = new ChainIo();
    private final boolean[] eof = new boolean[1];
    private int available;
    private boolean used;
    private boolean starved;

    GuestRx(final long guestCid, final int bufAlloc, final StreamTable streams, final VsockCounters counters)
    {
        this.guestCid = guestCid;
        this.bufAlloc = bufAlloc;
        this.streams = streams;
        this.counters = counters;
    }

    /** A new poll: nothing taken from the ring yet. */
    void begin()
    {
        available = 0;
        used = false;
    }

    /** The ring is not there (no guest driver, or stopped): host sockets wait as if it were empty. */
    void absent()
    {
        starved = true;
    }

    /** The last poll found no rx buffer when it needed one. */
    boolean starved()
    {
        return starved;
    }

    /** Publishes what this poll put into the ring and calls the guest once. */
    void finish(final SplitVirtQueue rx)
    {
        if (used)
        {
            rx.publishUsed();
            rx.notifyIfWanted();
        }
    }

    /** Sends the control packets owed, as far as rx buffers last. */
    int sendControl(final SplitVirtQueue rx)
    {
        int sent = 0;
        while (streams.orphanRsts() > 0)
        {
            final int head = nextChain(rx);
            if (head < 0)
            {
                return sent;
            }
            final long key = streams.takeOrphanRst();
            header.set(HOST_CID, guestCid, (int)(key >>> 32), (int)key, 0, OP_RST, 0, bufAlloc, 0);
            emit(rx, head);
            sent++;
        }
        for (VsockConnection connection = streams.nextOwing(); null != connection; connection = streams.nextOwing())
        {
            final int head = nextChain(rx);
            if (head < 0)
            {
                return sent;
            }
            final int what = Integer.lowestOneBit(connection.owedControl);
            connection.owedControl &= ~what;
            switch (what)
            {
                case VsockConnection.SEND_REQUEST -> stamp(connection, OP_REQUEST, 0);
                case VsockConnection.SEND_RESPONSE -> stamp(connection, OP_RESPONSE, 0);
                case VsockConnection.SEND_CREDIT_UPDATE -> stamp(connection, OP_CREDIT_UPDATE, 0);
                case VsockConnection.SEND_CREDIT_REQUEST -> stamp(connection, OP_CREDIT_REQUEST, 0);
                default -> stamp(connection, OP_SHUTDOWN, connection.shutdownFlags);
            }
            emit(rx, head);
            if (what == VsockConnection.SEND_RESPONSE)
            {
                streams.interest(connection);
            }
            sent++;
        }
        return sent;
    }

    /** Fills rx buffers from one host socket while it has data, credit and buffers last. */
    int readHost(final SplitVirtQueue rx, final VsockConnection connection, final int limit)
    {
        int packets = 0;
        while (packets < limit)
        {
            final long credit = connection.peerCredit();
            if (credit == 0)
            {
                if (!connection.creditStalled)
                {
                    connection.creditStalled = true;
                    counters.creditStalls.incrementRelease();
                    streams.owe(connection, VsockConnection.SEND_CREDIT_REQUEST);
                }
                streams.interest(connection);
                return packets;
            }
            final int head = nextChain(rx);
            if (head < 0)
            {
                return packets;
            }
            final DescriptorChain chain = rx.chain();
            final long room = Math.min(Math.min(chain.totalLength() - SIZE, credit), MAX_PAYLOAD);
            final long n = chainIo.readFrom(connection.fd, chain, SIZE, room, eof);
            if (n <= 0)
            {
                giveBack(rx);
                if (eof[0])
                {
                    connection.hostEof = true;
                    connection.shutdownFlags |= SHUTDOWN_SEND;
                    streams.owe(connection, VsockConnection.SEND_SHUTDOWN);
                    streams.interest(connection);
                    return packets + 1;
                }
                if (n < 0)
                {
                    streams.reset(connection);
                }
                return packets;
            }
            stamp(connection, OP_RW, 0).len((int)n);
            chainIo.scatter(header.buffer(), SIZE, chain, 0);
            rx.addUsed(head, (int)(SIZE + n));
            used = true;
            connection.txCnt += (int)n;
            counters.toGuestBytes.getAndAddRelease(n);
            packets++;
            if (n < room)
            {
                return packets;
            }
        }
        return packets;
    }

    /** Takes the next rx chain, walked into {@code rx.chain()}, or -1 (and starved) when there is none. */
    private int nextChain(final SplitVirtQueue rx)
    {
        if (available == 0)
        {
            available = rx.available();
            if (available < 0)
            {
                throw new RingFault("rx: " + SplitVirtQueue.describeError(available));
            }
            if (available == 0)
            {
                starved = true;
                return -1;
            }
        }
        starved = false;
        final int head = rx.takeHead();
        available--;
        final DescriptorChain chain = rx.chain();
        final int rc = rx.walk(head, chain);
        if (rc != SplitVirtQueue.OK)
        {
            throw new RingFault("rx: " + SplitVirtQueue.describeError(rc));
        }
        for (int i = 0; i < chain.count(); i++)
        {
            if (!chain.writable(i))
            {
                throw new RingFault("rx: buffer " + i + " of chain " + head + " is not device-writable");
            }
        }
        if (chain.totalLength() <= SIZE)
        {
            throw new RingFault("rx: a " + chain.totalLength() + "-byte buffer cannot hold a header and data");
        }
        return head;
    }

    private void giveBack(final SplitVirtQueue rx)
    {
        rx.untakeHeads(1);
        available++;
    }

    private VsockHeader stamp(final VsockConnection connection, final int op, final int flags)
    {
        connection.fwdCntSent = connection.fwdCnt;
        return header.set(HOST_CID, guestCid, connection.localPort, connection.peerPort, 0, op, flags, bufAlloc, connection.fwdCnt);
    }

    private void emit(final SplitVirtQueue rx, final int head)
    {
        chainIo.scatter(header.buffer(), SIZE, rx.chain(), 0);
        rx.addUsed(head, SIZE);
        used = true;
    }

    @Override
    public void close()
    {
        arena.close();
    }
}
