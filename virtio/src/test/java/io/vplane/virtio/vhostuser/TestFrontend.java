package io.vplane.virtio.vhostuser;

import io.vplane.virtio.memory.GuestMemory;
import io.vplane.virtio.memory.MemoryRegion;
import io.vplane.engine.linux.FileIo;
import io.vplane.engine.linux.MemFd;
import io.vplane.engine.linux.Poll;
import io.vplane.engine.linux.Sockets;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;

import static io.vplane.virtio.vhostuser.VhostUserMessage.*;
import static io.vplane.virtio.vhostuser.VhostUserRequest.*;

/**
 * A frontend written for tests: one guest RAM region in a memfd, a socket pair whose other end
 * is the backend's connection, and helpers to send each message and read replies.
 */
public final class TestFrontend implements AutoCloseable
{
    public static final long RAM_BYTES = 1 << 20;
    public static final long GPA = 0x4000_0000L;
    public static final long UADDR = 0x7f00_0000_0000L;
    public static final long DESC = 0x0;
    public static final long AVAIL = 0x1000;
    public static final long USED = 0x2000;
    public static final long BUFFERS = 0x10000;

    public final Arena arena = Arena.ofShared();
    public final VhostUserConnection frontend;
    public final VhostUserConnection backend;
    public final VhostUserMessage out = new VhostUserMessage(arena);
    public final VhostUserMessage in = new VhostUserMessage(arena);
    public final VhostUserMessage reply = new VhostUserMessage(arena);
    public final int ramFd;
    /** The test's own view of guest RAM (same pages as the backend's mapping). */
    public final GuestMemory ram;
    public final MemorySegment ramBytes;

    public TestFrontend()
    {
        final int[] pair = new int[2];
        if (Sockets.socketPair(pair) < 0)
        {
            throw new IllegalStateException("socketpair failed");
        }
        frontend = new VhostUserConnection(pair[0]);
        backend = new VhostUserConnection(pair[1]);
        ramFd = MemFd.create("guest-ram", RAM_BYTES);
        ram = GuestMemory.map(new MemoryRegion[] {new MemoryRegion(GPA, RAM_BYTES, UADDR, 0)}, new int[] {ramFd});
        ramBytes = ram.segment(0);
    }

    /** Starts a message with the version flag (and need_reply when asked). */
    public VhostUserMessage message(final int request, final int size, final boolean needReply)
    {
        return out.header(request, VERSION | (needReply ? FLAG_NEED_REPLY : 0), size);
    }

    public void send(final int... fds)
    {
        if (!frontend.send(out, fds))
        {
            throw new IllegalStateException("send failed");
        }
    }

    /** The backend receives what was sent and handles it. */
    public VhostUserSession.Outcome deliver(final VhostUserSession session)
    {
        final VhostUserConnection.Received received = backend.receive(in);
        if (received != VhostUserConnection.Received.MESSAGE)
        {
            in.closeFds(FileIo::close);
            return VhostUserSession.Outcome.CLOSE;
        }
        return session.handle(in, backend);
    }

    /** Sends, lets the backend handle it, and returns the outcome. */
    public VhostUserSession.Outcome exchange(final VhostUserSession session, final int... fds)
    {
        send(fds);
        return deliver(session);
    }

    public boolean hasReply()
    {
        return Poll.awaitReadable(frontend.fd(), 0) > 0;
    }

    public VhostUserMessage readReply()
    {
        if (frontend.receive(reply) != VhostUserConnection.Received.MESSAGE)
        {
            throw new IllegalStateException("no reply");
        }
        return reply;
    }

    public void u64(final int request, final long value, final boolean needReply)
    {
        message(request, U64_SIZE, needReply).putPayloadLong(0, value);
    }

    public void vringState(final int request, final int index, final int num, final boolean needReply)
    {
        message(request, VRING_STATE_SIZE, needReply).putPayloadInt(VRING_STATE_INDEX_OFFSET, index).putPayloadInt(VRING_STATE_NUM_OFFSET, num);
    }

    public void vringAddr(final int index, final long desc, final long used, final long avail, final boolean needReply)
    {
        message(SET_VRING_ADDR, VRING_ADDR_SIZE, needReply)
            .putPayloadInt(VRING_ADDR_INDEX_OFFSET, index).putPayloadInt(VRING_ADDR_FLAGS_OFFSET, 0)
            .putPayloadLong(VRING_ADDR_DESC_OFFSET, desc).putPayloadLong(VRING_ADDR_USED_OFFSET, used)
            .putPayloadLong(VRING_ADDR_AVAIL_OFFSET, avail).putPayloadLong(VRING_ADDR_LOG_OFFSET, 0);
    }

    public void memTable(final MemoryRegion[] regions, final boolean needReply)
    {
        message(SET_MEM_TABLE, MEM_REGIONS_OFFSET + regions.length * MEM_REGION_SIZE, needReply)
            .putPayloadInt(MEM_NREGIONS_OFFSET, regions.length).putPayloadInt(MEM_NREGIONS_OFFSET + 4, 0);
        for (int i = 0; i < regions.length; i++)
        {
            final int at = MEM_REGIONS_OFFSET + i * MEM_REGION_SIZE;
            out.putPayloadLong(at + MEM_REGION_GPA_OFFSET, regions[i].guestPhysAddr())
                .putPayloadLong(at + MEM_REGION_SIZE_OFFSET, regions[i].size())
                .putPayloadLong(at + MEM_REGION_UADDR_OFFSET, regions[i].userAddr())
                .putPayloadLong(at + MEM_REGION_MMAP_OFFSET_OFFSET, regions[i].mmapOffset());
        }
    }

    /**
     * DPDK virtio-user's start-up order for {@code queues} vrings of {@code size} entries, each
     * queue's rings 0x4000 apart: features, protocol features, calls, memory, per ring
     * NUM/BASE/ADDR/KICK, enable, DRIVER_OK. Every message must be accepted.
     */
    /** SET_VRING_KICK with a kick eventfd for a running ring (it restarts with it). */
    public void setKick(final VhostUserSession session, final int queue, final int kickFd)
    {
        u64(SET_VRING_KICK, queue, true);
        exchange(session, kickFd);
        expectAck(0);
    }

    /** GET_VRING_BASE: stops the ring; returns the base the backend reports. */
    public int getVringBase(final VhostUserSession session, final int queue)
    {
        vringState(GET_VRING_BASE, queue, 0, false);
        exchange(session);
        return readReply().payloadInt(VRING_STATE_NUM_OFFSET);
    }

    public void startUp(final VhostUserSession session, final long features, final int queues, final int size, final int... callFds)
    {
        startUp(session, features, 1L << PROTOCOL_F_REPLY_ACK | 1L << PROTOCOL_F_STATUS, queues, size, callFds);
    }

    /** The same start-up with these protocol features; without STATUS no SET_STATUS is sent. */
    public void startUp(
        final VhostUserSession session, final long features, final long protocolFeatures, final int queues, final int size,
        final int... callFds)
    {
        message(SET_OWNER, 0, false);
        check(exchange(session), SET_OWNER, out);
        u64(SET_PROTOCOL_FEATURES, protocolFeatures, true);
        checkAck(session);
        u64(SET_FEATURES, features, true);
        checkAck(session);
        memTable(new MemoryRegion[] {new MemoryRegion(GPA, RAM_BYTES, UADDR, 0)}, true);
        exchange(session, ramFd);
        expectAck(0);
        for (int q = 0; q < queues; q++)
        {
            final long base = q * 0x4000L;
            vringState(SET_VRING_NUM, q, size, true);
            checkAck(session);
            vringState(SET_VRING_BASE, q, 0, true);
            checkAck(session);
            vringAddr(q, UADDR + base + DESC, UADDR + base + USED, UADDR + base + AVAIL, true);
            checkAck(session);
            if (q < callFds.length)
            {
                u64(SET_VRING_CALL, q, true);
                exchange(session, callFds[q]);
                expectAck(0);
            }
            u64(SET_VRING_KICK, q | VRING_NOFD_MASK, true);
            checkAck(session);
            vringState(SET_VRING_ENABLE, q, 1, true);
            checkAck(session);
        }
        if ((protocolFeatures & 1L << PROTOCOL_F_STATUS) != 0)
        {
            u64(SET_STATUS, 0xF, true);
            checkAck(session);
        }
    }

    private void checkAck(final VhostUserSession session)
    {
        check(exchange(session), out.request(), out);
        expectAck(0);
    }

    public void expectAck(final long value)
    {
        final VhostUserMessage answer = readReply();
        if (answer.flags() != (VERSION | FLAG_REPLY) || answer.size() != U64_SIZE || answer.payloadLong(0) != value)
        {
            throw new AssertionError("expected ack " + value + " for " + VhostUserRequest.name(answer.request()) +
                ", got flags 0x" + Integer.toHexString(answer.flags()) + " value " + answer.payloadLong(0));
        }
    }

    private static void check(final VhostUserSession.Outcome outcome, final int request, final VhostUserMessage ignore)
    {
        if (outcome != VhostUserSession.Outcome.CONTINUE)
        {
            throw new AssertionError(VhostUserRequest.name(request) + " closed the connection");
        }
    }

    /** Open fds of this process: a leak shows as a growing count. */
    public static long openFds()
    {
        try (var list = Files.list(Path.of("/proc/self/fd")))
        {
            return list.count();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    @Override
    public void close()
    {
        frontend.close();
        backend.close();
        ram.close();
        FileIo.close(ramFd);
        arena.close();
    }
}
