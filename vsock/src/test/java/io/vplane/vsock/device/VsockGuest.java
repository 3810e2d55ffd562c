package io.vplane.vsock.device;

import io.vplane.config.ConfigDefaults;
import io.vplane.engine.counters.Counters;
import io.vplane.engine.device.DeviceContext;
import io.vplane.engine.device.DeviceSpec;
import io.vplane.engine.errors.ErrorLog;
import io.vplane.virtio.vhostuser.TestDriverRings;
import io.vplane.virtio.vhostuser.TestFrontend;
import io.vplane.virtio.vhostuser.VhostUserSession;
import io.vplane.vsock.config.VsockDeviceConfig;
import io.vplane.vsock.config.VsockSection;
import io.vplane.vsock.packet.VsockHeader;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.vplane.virtio.virtq.SplitRing.*;

/**
 * Plays a guest's virtio-vsock driver against a {@link VsockDevice} through the test frontend:
 * queue q's rings at q * 0x4000 in guest RAM, rx buffers posted as Linux 6.1 does (a 44-byte
 * header descriptor, then a 4 KiB data descriptor), tx packets in one descriptor or split after the
 * header. The device's queue is polled on the test's thread.
 */
final class VsockGuest implements AutoCloseable
{
    static final long CID = 3;
    static final int SIZE = 256;
    static final int RX_SLOTS = 32;
    static final int RX_DATA = 4096;
    private static final long RX_BUFFERS = 0x20000;
    private static final long TX_BUFFERS = 0x80000;
    private static final int TX_SLOT_BYTES = 0x800;
    private static final int TX_SLOTS = 48;
    static final long BIG_BUFFER = 0xB0000;

    final Counters counters = Counters.inMemory(256);
    final ErrorLog errors = new ErrorLog(counters);
    final TestFrontend frontend = new TestFrontend();
    final VsockDevice device;
    final VhostUserSession session;
    final Path uds;
    private final MemorySegment ram = frontend.ramBytes;
    private final TestDriverRings rings = new TestDriverRings(ram, 3, SIZE);
    private final int[] lastUsed = new int[3];
    private int txSlot;

    /** A started device on {@code dir}, its session set up with {@code rings} vrings (2 as QEMU, 3 with the event queue). */
    VsockGuest(final Path dir, final int rings, final int bufAllocBytes)
    {
        this(dir, rings, bufAllocBytes, VsockSection.CONNECT_TIMEOUT_MS, VsockSection.HANDSHAKE_TIMEOUT_MS);
    }

    /** The same with the device's timeouts for a guest's answer to REQUEST and a host's CONNECT line. */
    VsockGuest(final Path dir, final int rings, final int bufAllocBytes, final int connectTimeoutMs, final int handshakeTimeoutMs)
    {
        uds = dir.resolve("vs.vsock");
        final VsockDeviceConfig config = new VsockDeviceConfig("vs", dir.resolve("vs.sock").toString(), uds.toString(), CID,
            bufAllocBytes, 16, 8, 0, 0, connectTimeoutMs, handshakeTimeoutMs);
        device = new VsockDevice(new DeviceSpec("vsock", "vs", "vsock", config),
            config, new DeviceContext(ConfigDefaults.pool("vsock"), counters, errors), new VsockRegistry());
        device.startHostSide();
        session = new VhostUserSession("test", device, errors, device.counters().protocolErrors);
        frontend.startUp(session, device.features() | 1L << 30, device.protocolFeatures(), rings, SIZE);
    }

    static long ringBase(final int queue)
    {
        return TestDriverRings.ringBase(queue);
    }

    int poll()
    {
        return device.queues().getFirst().poll(64);
    }

    /** Polls until {@code done} holds, or fails after 5 s (the host side is a real socket). */
    void pollUntil(final java.util.function.BooleanSupplier done, final String what)
    {
        final long deadline = System.nanoTime() + 5_000_000_000L;
        while (!done.getAsBoolean())
        {
            if (System.nanoTime() - deadline > 0)
            {
                throw new AssertionError("timed out waiting until " + what);
            }
            poll();
            Thread.onSpinWait();
        }
    }

    VsockCounters counters()
    {
        return device.counters();
    }

    private void descriptor(final int queue, final int index, final long ramOffset, final int len, final int flags, final int next)
    {
        rings.descriptor(queue, index, ramOffset, len, flags, next);
    }

    private void offer(final int queue, final int head)
    {
        rings.offer(queue, head);
    }

    /** Posts every rx slot: header descriptor 2s, data descriptor 2s+1. */
    void postRxBuffers(final int slots)
    {
        for (int s = 0; s < slots; s++)
        {
            postRx(s);
        }
    }

    private void postRx(final int slot)
    {
        final long at = RX_BUFFERS + (long)slot * (RX_DATA + 64);
        descriptor(VsockQueue.RX, 2 * slot, at, VsockHeader.SIZE, DESC_F_WRITE | DESC_F_NEXT, 2 * slot + 1);
        descriptor(VsockQueue.RX, 2 * slot + 1, at + VsockHeader.SIZE, RX_DATA, DESC_F_WRITE, 0);
        offer(VsockQueue.RX, 2 * slot);
    }

    /** Posts the event queue's one buffer. */
    void postEventBuffer()
    {
        descriptor(VsockQueue.EVENT, 0, 0x70000, 8, DESC_F_WRITE, 0);
        offer(VsockQueue.EVENT, 0);
    }

    int used(final int queue)
    {
        return rings.used(queue);
    }

    int eventId()
    {
        return ram.get(ValueLayout.JAVA_INT, 0x70000);
    }

    /** A packet as the guest sends it; {@code split} puts the payload in a second descriptor. */
    void send(final int op, final int srcPort, final int dstPort, final int flags, final int bufAlloc, final int fwdCnt,
        final byte[] payload, final boolean split)
    {
        final int slot = txSlot++ % TX_SLOTS;
        final long at = TX_BUFFERS + (long)slot * TX_SLOT_BYTES;
        writeHeader(at, CID, VsockHeader.HOST_CID, srcPort, dstPort, payload.length, op, flags, bufAlloc, fwdCnt);
        MemorySegment.copy(payload, 0, ram, ValueLayout.JAVA_BYTE, at + VsockHeader.SIZE, payload.length);
        if (split && payload.length > 0)
        {
            descriptor(VsockQueue.TX, 2 * slot, at, VsockHeader.SIZE, DESC_F_NEXT, 2 * slot + 1);
            descriptor(VsockQueue.TX, 2 * slot + 1, at + VsockHeader.SIZE, payload.length, 0, 0);
        }
        else
        {
            descriptor(VsockQueue.TX, 2 * slot, at, VsockHeader.SIZE + payload.length, 0, 0);
        }
        offer(VsockQueue.TX, 2 * slot);
    }

    /** A packet whose raw header the test writes itself (hostile input), of {@code totalLength} bytes. */
    void sendRaw(final byte[] bytes, final int descriptorLength)
    {
        final int slot = txSlot++ % TX_SLOTS;
        final long at = TX_BUFFERS + (long)slot * TX_SLOT_BYTES;
        MemorySegment.copy(bytes, 0, ram, ValueLayout.JAVA_BYTE, at, bytes.length);
        descriptor(VsockQueue.TX, 2 * slot, at, descriptorLength, 0, 0);
        offer(VsockQueue.TX, 2 * slot);
    }

    /** An RW of {@code len} bytes from the big buffer (filled with {@code fill}). */
    void sendBig(final int srcPort, final int dstPort, final int len, final byte fill)
    {
        writeHeader(BIG_BUFFER, CID, VsockHeader.HOST_CID, srcPort, dstPort, len, VsockHeader.OP_RW, 0, 1 << 20, 0);
        ram.asSlice(BIG_BUFFER + VsockHeader.SIZE, len).fill(fill);
        descriptor(VsockQueue.TX, 2 * TX_SLOTS, BIG_BUFFER, VsockHeader.SIZE + len, 0, 0);
        offer(VsockQueue.TX, 2 * TX_SLOTS);
    }

    void writeHeader(final long at, final long src, final long dst, final int srcPort, final int dstPort, final int len,
        final int op, final int flags, final int bufAlloc, final int fwdCnt)
    {
        ram.set(ValueLayout.JAVA_LONG_UNALIGNED, at, src);
        ram.set(ValueLayout.JAVA_LONG_UNALIGNED, at + 8, dst);
        ram.set(ValueLayout.JAVA_INT_UNALIGNED, at + 16, srcPort);
        ram.set(ValueLayout.JAVA_INT_UNALIGNED, at + 20, dstPort);
        ram.set(ValueLayout.JAVA_INT_UNALIGNED, at + 24, len);
        ram.set(ValueLayout.JAVA_SHORT_UNALIGNED, at + 28, (short)VsockHeader.TYPE_STREAM);
        ram.set(ValueLayout.JAVA_SHORT_UNALIGNED, at + 30, (short)op);
        ram.set(ValueLayout.JAVA_INT_UNALIGNED, at + 32, flags);
        ram.set(ValueLayout.JAVA_INT_UNALIGNED, at + 36, bufAlloc);
        ram.set(ValueLayout.JAVA_INT_UNALIGNED, at + 40, fwdCnt);
    }

    /** A packet the device put in an rx buffer. */
    record Packet(long srcCid, long dstCid, int srcPort, int dstPort, int op, int flags, int bufAlloc, int fwdCnt, byte[] payload)
    {
        String text()
        {
            return new String(payload, java.nio.charset.StandardCharsets.US_ASCII);
        }
    }

    /** Every packet the device used since the last call; each buffer is posted again. */
    List<Packet> receive()
    {
        final List<Packet> packets = new ArrayList<>();
        final long usedRing = ringBase(VsockQueue.RX) + TestFrontend.USED;
        final int usedIdx = used(VsockQueue.RX);
        while (lastUsed[VsockQueue.RX] != usedIdx)
        {
            final long element = usedRing + USED_RING_OFFSET + (long)USED_ELEM_SIZE * (lastUsed[VsockQueue.RX] % SIZE);
            final int id = ram.get(ValueLayout.JAVA_INT, element);
            final int len = ram.get(ValueLayout.JAVA_INT, element + 4);
            final int slot = id / 2;
            final long at = RX_BUFFERS + (long)slot * (RX_DATA + 64);
            final byte[] payload = new byte[len - VsockHeader.SIZE];
            MemorySegment.copy(ram, ValueLayout.JAVA_BYTE, at + VsockHeader.SIZE, payload, 0, payload.length);
            packets.add(new Packet(ram.get(ValueLayout.JAVA_LONG_UNALIGNED, at), ram.get(ValueLayout.JAVA_LONG_UNALIGNED, at + 8),
                ram.get(ValueLayout.JAVA_INT_UNALIGNED, at + 16), ram.get(ValueLayout.JAVA_INT_UNALIGNED, at + 20),
                ram.get(ValueLayout.JAVA_SHORT_UNALIGNED, at + 30), ram.get(ValueLayout.JAVA_INT_UNALIGNED, at + 32),
                ram.get(ValueLayout.JAVA_INT_UNALIGNED, at + 36), ram.get(ValueLayout.JAVA_INT_UNALIGNED, at + 40), payload));
            lastUsed[VsockQueue.RX] = (lastUsed[VsockQueue.RX] + 1) & 0xFFFF;
            postRx(slot);
        }
        return packets;
    }

    @Override
    public void close()
    {
        session.close();
        device.close();
        frontend.close();
    }
}
