package io.vplane.nic.port;

import io.vplane.engine.device.RequestLatency;
import io.vplane.engine.linux.EventFd;
import io.vplane.engine.linux.FileIo;
import io.vplane.engine.linux.MemFd;
import io.vplane.engine.linux.SockaddrUn;
import io.vplane.engine.linux.Sockets;
import io.vplane.virtio.memory.GuestMemory;
import io.vplane.virtio.memory.MemoryRegion;
import io.vplane.virtio.vhostuser.VhostUserConnection;
import io.vplane.virtio.vhostuser.VhostUserMessage;
import io.vplane.virtio.vhostuser.VhostUserRequest;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;
import java.util.concurrent.locks.LockSupport;

import static io.vplane.virtio.vhostuser.VhostUserMessage.*;
import static io.vplane.virtio.vhostuser.VhostUserRequest.*;
import static io.vplane.virtio.virtq.SplitRing.*;

/**
 * The built-in tuning load's guest: a virtio-net driver in the daemon's own process. It connects to
 * a vhost-user port's socket as a VM's frontend does (the same messages; its memory a memfd handed
 * over with SCM_RIGHTS; a kick eventfd per ring, kicked only when the port asks for kicks), sends
 * frames on the transmit rings and keeps every receive ring full of buffers. Each frame carries its
 * send time in its payload; when the frame comes back in a receive buffer the guest records its
 * latency. Not thread-safe: one load thread drives it after {@link #connect}.
 */
final class TuneGuest implements AutoCloseable
{
    static final int RING_SIZE = 256;
    static final int FRAME_BYTES = 60;
    /** Where the send time travels: after the virtio-net header and the Ethernet header. */
    static final int STAMP_OFFSET = VirtioNet.HEADER_SIZE + 14;
    private static final int SLOT_BYTES = 2048;
    private static final long RING_BYTES = 0x4000;
    private static final long AVAIL = 0x1000;
    private static final long USED = 0x2000;
    /** The guest-physical and frontend-virtual addresses of the one memory region, as told to the port. */
    private static final long GPA = 0x1_0000_0000L;
    private static final long UADDR = 0x7e00_0000_0000L;
    private static final long CONNECT_TIMEOUT_NS = 3_000_000_000L;
    private static final long FEATURES = 1L << VirtioNet.F_VERSION_1 | 1L << VirtioNet.F_MRG_RXBUF | 1L << F_PROTOCOL_FEATURES;
    private static final long PROTOCOL_FEATURES = 1L << PROTOCOL_F_REPLY_ACK | 1L << PROTOCOL_F_MQ | 1L << PROTOCOL_F_STATUS;

    private final Arena arena = Arena.ofShared();
    private final VhostUserMessage out = new VhostUserMessage(arena);
    private final VhostUserMessage in = new VhostUserMessage(arena);
    private final int pairs;
    private final int ramFd;
    private final GuestMemory ram;
    private final MemorySegment bytes;
    private final int[] kickFds;
    private final int[] availIdx;
    /** The avail index the port last saw, per ring: a ring is published (and maybe kicked) only when it moved. */
    private final int[] published;
    private final int[] usedSeen;
    /** Per transmit ring, heads free to send, as a stack. */
    private final int[][] txFree;
    private final int[] txFreeCount;
    private final RequestLatency latency = new RequestLatency();
    private VhostUserConnection connection;
    private int nextPair;

    private TuneGuest(final int pairs)
    {
        this.pairs = pairs;
        final int rings = 2 * pairs;
        final long size = align(rings * RING_BYTES + (long)rings * RING_SIZE * SLOT_BYTES, 2 << 20);
        this.ramFd = MemFd.create("vplane-tune-guest", size);
        if (ramFd < 0)
        {
            throw new IllegalStateException("memfd_create failed: " + ramFd);
        }
        this.ram = GuestMemory.map(new MemoryRegion[] {new MemoryRegion(GPA, size, UADDR, 0)}, new int[] {ramFd});
        this.bytes = ram.segment(0);
        this.kickFds = new int[rings];
        this.availIdx = new int[rings];
        this.published = new int[rings];
        this.usedSeen = new int[rings];
        this.txFree = new int[rings][];
        this.txFreeCount = new int[rings];
        for (int ring = 0; ring < rings; ring++)
        {
            kickFds[ring] = EventFd.create(0, EventFd.EFD_CLOEXEC | EventFd.EFD_NONBLOCK);
            bytes.set(ValueLayout.JAVA_SHORT, ring * RING_BYTES + AVAIL + AVAIL_FLAGS_OFFSET, (short)AVAIL_F_NO_INTERRUPT);
            if (isTransmit(ring))
            {
                txFree[ring] = new int[RING_SIZE];
                for (int head = 0; head < RING_SIZE; head++)
                {
                    descriptor(ring, head, VirtioNet.HEADER_SIZE + FRAME_BYTES, 0);
                    frame(slot(ring, head));
                    txFree[ring][txFreeCount[ring]++] = head;
                }
            }
            else
            {
                for (int head = 0; head < RING_SIZE; head++)
                {
                    descriptor(ring, head, SLOT_BYTES, DESC_F_WRITE);
                    availRing(ring, head);
                }
                publishAvail(ring);
            }
        }
    }

    /** Connects to the port at {@code socket} and sets up {@code pairs} queue pairs, as a VM's driver would. */
    static TuneGuest connect(final Path socket, final int pairs)
    {
        final TuneGuest guest = new TuneGuest(pairs);
        try
        {
            guest.connection = new VhostUserConnection(connectSocket(guest.arena, socket));
            guest.startUp();
            return guest;
        }
        catch (final RuntimeException ex)
        {
            guest.close();
            throw ex;
        }
    }

    RequestLatency latency()
    {
        return latency;
    }

    /** Sends up to {@code budget} frames stamped {@code nowNs}, spread over the pairs. @return frames sent */
    int send(final int budget, final long nowNs)
    {
        int sent = 0;
        int fullInARow = 0;
        while (sent < budget && fullInARow < pairs)
        {
            final int ring = 2 * nextPair + 1;
            nextPair = nextPair + 1 == pairs ? 0 : nextPair + 1;
            if (0 == txFreeCount[ring])
            {
                fullInARow++;
                continue;
            }
            final int head = txFree[ring][--txFreeCount[ring]];
            bytes.set(ValueLayout.JAVA_LONG_UNALIGNED, slot(ring, head) + STAMP_OFFSET, nowNs);
            availRing(ring, head);
            sent++;
            fullInARow = 0;
        }
        if (sent > 0)
        {
            for (int pair = 0; pair < pairs; pair++)
            {
                publishAvail(2 * pair + 1);
            }
        }
        return sent;
    }

    /** Takes back sent frames and received ones (recording their latency at {@code nowNs}), refilling the receive rings. */
    int reap(final long nowNs)
    {
        int reaped = 0;
        for (int pair = 0; pair < pairs; pair++)
        {
            final int tx = 2 * pair + 1;
            final int txUsed = usedIdx(tx);
            while (usedSeen[tx] != txUsed)
            {
                txFree[tx][txFreeCount[tx]++] = usedId(tx, usedSeen[tx]);
                usedSeen[tx] = (usedSeen[tx] + 1) & 0xFFFF;
            }
            final int rx = 2 * pair;
            final int rxUsed = usedIdx(rx);
            int received = 0;
            while (usedSeen[rx] != rxUsed)
            {
                final int head = usedId(rx, usedSeen[rx]);
                final int length = usedLength(rx, usedSeen[rx]);
                if (length >= STAMP_OFFSET + Long.BYTES)
                {
                    latency.record(nowNs - bytes.get(ValueLayout.JAVA_LONG_UNALIGNED, slot(rx, head) + STAMP_OFFSET));
                }
                availRing(rx, head);
                usedSeen[rx] = (usedSeen[rx] + 1) & 0xFFFF;
                received++;
            }
            if (received > 0)
            {
                publishAvail(rx);
                reaped += received;
            }
        }
        return reaped;
    }

    private void startUp()
    {
        message(SET_OWNER, 0, false);
        send();
        message(GET_FEATURES, 0, false);
        send();
        final long features = reply(GET_FEATURES) & FEATURES;
        message(GET_PROTOCOL_FEATURES, 0, false);
        send();
        final long protocol = reply(GET_PROTOCOL_FEATURES) & PROTOCOL_FEATURES;
        if ((features & 1L << VirtioNet.F_VERSION_1) == 0 || (protocol & 1L << PROTOCOL_F_REPLY_ACK) == 0)
        {
            throw new IllegalStateException("the port offers neither VERSION_1 nor REPLY_ACK: features 0x" +
                Long.toHexString(features) + ", protocol 0x" + Long.toHexString(protocol));
        }
        u64(SET_PROTOCOL_FEATURES, protocol);
        send();
        acked();
        u64(SET_FEATURES, features);
        send();
        acked();
        message(SET_MEM_TABLE, MEM_REGIONS_OFFSET + MEM_REGION_SIZE, true)
            .putPayloadInt(MEM_NREGIONS_OFFSET, 1).putPayloadInt(MEM_NREGIONS_OFFSET + 4, 0)
            .putPayloadLong(MEM_REGIONS_OFFSET + MEM_REGION_GPA_OFFSET, GPA)
            .putPayloadLong(MEM_REGIONS_OFFSET + MEM_REGION_SIZE_OFFSET, bytes.byteSize())
            .putPayloadLong(MEM_REGIONS_OFFSET + MEM_REGION_UADDR_OFFSET, UADDR)
            .putPayloadLong(MEM_REGIONS_OFFSET + MEM_REGION_MMAP_OFFSET_OFFSET, 0);
        send(ramFd);
        acked();
        for (int ring = 0; ring < 2 * pairs; ring++)
        {
            final long base = UADDR + ring * RING_BYTES;
            vringState(SET_VRING_NUM, ring, RING_SIZE);
            acked();
            vringState(SET_VRING_BASE, ring, 0);
            acked();
            message(SET_VRING_ADDR, VRING_ADDR_SIZE, true)
                .putPayloadInt(VRING_ADDR_INDEX_OFFSET, ring).putPayloadInt(VRING_ADDR_FLAGS_OFFSET, 0)
                .putPayloadLong(VRING_ADDR_DESC_OFFSET, base).putPayloadLong(VRING_ADDR_USED_OFFSET, base + USED)
                .putPayloadLong(VRING_ADDR_AVAIL_OFFSET, base + AVAIL).putPayloadLong(VRING_ADDR_LOG_OFFSET, 0);
            send();
            acked();
            u64(SET_VRING_KICK, ring);
            send(kickFds[ring]);
            acked();
            vringState(SET_VRING_ENABLE, ring, 1);
            acked();
        }
        if ((protocol & 1L << PROTOCOL_F_STATUS) != 0)
        {
            u64(SET_STATUS, 0xF); // ACKNOWLEDGE | DRIVER | DRIVER_OK | FEATURES_OK
            send();
            acked();
        }
    }

    private VhostUserMessage message(final int request, final int size, final boolean needReply)
    {
        return out.header(request, VERSION | (needReply ? FLAG_NEED_REPLY : 0), size);
    }

    private void u64(final int request, final long value)
    {
        message(request, U64_SIZE, true).putPayloadLong(0, value);
    }

    private void vringState(final int request, final int ring, final int num)
    {
        message(request, VRING_STATE_SIZE, true).putPayloadInt(VRING_STATE_INDEX_OFFSET, ring).putPayloadInt(VRING_STATE_NUM_OFFSET, num);
        send();
    }

    private void send(final int... fds)
    {
        if (!(0 == fds.length ? connection.send(out) : connection.send(out, fds)))
        {
            throw new IllegalStateException("the port closed the connection at " + VhostUserRequest.name(out.request()));
        }
    }

    private long reply(final int request)
    {
        if (connection.receive(in) != VhostUserConnection.Received.MESSAGE || in.request() != request || (in.flags() & FLAG_REPLY) == 0)
        {
            throw new IllegalStateException("no reply to " + VhostUserRequest.name(request));
        }
        return in.payloadLong(0);
    }

    private void acked()
    {
        final long status = reply(out.request());
        if (0 != status)
        {
            throw new IllegalStateException("the port refused " + VhostUserRequest.name(out.request()) + ": " + status);
        }
    }

    /** Connects, retrying while the port's server is not listening yet. */
    private static int connectSocket(final Arena arena, final Path socket)
    {
        final MemorySegment address = SockaddrUn.of(arena, socket.toString());
        final long deadline = System.nanoTime() + CONNECT_TIMEOUT_NS;
        while (true)
        {
            final int fd = Sockets.socket(Sockets.AF_UNIX, Sockets.SOCK_STREAM | Sockets.SOCK_CLOEXEC, 0);
            if (fd >= 0 && Sockets.connect(fd, address) == 0)
            {
                return fd;
            }
            FileIo.close(fd);
            if (System.nanoTime() - deadline > 0)
            {
                throw new IllegalStateException("cannot connect to " + socket);
            }
            LockSupport.parkNanos(10_000_000L);
        }
    }

    private static boolean isTransmit(final int ring)
    {
        return (ring & 1) == 1;
    }

    private long slot(final int ring, final int head)
    {
        return 2L * pairs * RING_BYTES + ((long)ring * RING_SIZE + head) * SLOT_BYTES;
    }

    private void descriptor(final int ring, final int head, final int length, final int flags)
    {
        final long at = ring * RING_BYTES + (long)head * DESC_SIZE;
        bytes.set(ValueLayout.JAVA_LONG, at + DESC_ADDR_OFFSET, GPA + slot(ring, head));
        bytes.set(ValueLayout.JAVA_INT, at + DESC_LEN_OFFSET, length);
        bytes.set(ValueLayout.JAVA_SHORT, at + DESC_FLAGS_OFFSET, (short)flags);
        bytes.set(ValueLayout.JAVA_SHORT, at + DESC_NEXT_OFFSET, (short)0);
    }

    /** A 60-byte Ethernet frame from this guest's MAC to another, of the local experimental EtherType. */
    private void frame(final long slot)
    {
        final long frame = slot + VirtioNet.HEADER_SIZE;
        final byte[] header = {0x52, 0x54, 0, 0, 0, 0x02, 0x52, 0x54, 0, 0, 0, 0x01, (byte)0x88, (byte)0xB5};
        MemorySegment.copy(header, 0, bytes, ValueLayout.JAVA_BYTE, frame, header.length);
    }

    /** Puts {@code head} in the ring's next avail slot; {@link #publishAvail} makes it visible. */
    private void availRing(final int ring, final int head)
    {
        final long avail = ring * RING_BYTES + AVAIL;
        bytes.set(ValueLayout.JAVA_SHORT, avail + AVAIL_RING_OFFSET + 2L * (availIdx[ring] & (RING_SIZE - 1)), (short)head);
        availIdx[ring] = (availIdx[ring] + 1) & 0xFFFF;
    }

    /** Publishes the avail index (release), then kicks the ring unless the port said it polls (USED_F_NO_NOTIFY). */
    private void publishAvail(final int ring)
    {
        if (published[ring] == availIdx[ring])
        {
            return;
        }
        published[ring] = availIdx[ring];
        VarHandle.releaseFence();
        bytes.set(ValueLayout.JAVA_SHORT, ring * RING_BYTES + AVAIL + AVAIL_IDX_OFFSET, (short)availIdx[ring]);
        VarHandle.fullFence();
        if (null != connection && (bytes.get(ValueLayout.JAVA_SHORT, ring * RING_BYTES + USED + USED_FLAGS_OFFSET) & USED_F_NO_NOTIFY) == 0)
        {
            EventFd.signal(kickFds[ring]);
        }
    }

    private int usedIdx(final int ring)
    {
        final int idx = bytes.get(ValueLayout.JAVA_SHORT, ring * RING_BYTES + USED + USED_IDX_OFFSET) & 0xFFFF;
        VarHandle.acquireFence();
        return idx;
    }

    private int usedId(final int ring, final int index)
    {
        return bytes.get(ValueLayout.JAVA_INT, ring * RING_BYTES + USED + USED_RING_OFFSET +
            (long)USED_ELEM_SIZE * (index & (RING_SIZE - 1)) + USED_ELEM_ID_OFFSET) & (RING_SIZE - 1);
    }

    private int usedLength(final int ring, final int index)
    {
        return bytes.get(ValueLayout.JAVA_INT, ring * RING_BYTES + USED + USED_RING_OFFSET +
            (long)USED_ELEM_SIZE * (index & (RING_SIZE - 1)) + USED_ELEM_LEN_OFFSET);
    }

    private static long align(final long value, final long to)
    {
        return (value + to - 1) / to * to;
    }

    /** Disconnects (the port stops the rings, as when a VM goes away), then frees the memory and fds. */
    @Override
    public void close()
    {
        if (null != connection)
        {
            connection.close();
        }
        ram.close();
        FileIo.close(ramFd);
        for (final int fd : kickFds)
        {
            FileIo.close(fd);
        }
        arena.close();
    }
}
