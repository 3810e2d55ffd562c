package io.vplane.vsock.device;

import io.vplane.config.ConfigDefaults;
import io.vplane.engine.counters.Counters;
import io.vplane.engine.device.DeviceContext;
import io.vplane.engine.device.DeviceSpec;
import io.vplane.engine.errors.ErrorLog;
import io.vplane.engine.linux.FileIo;
import io.vplane.engine.linux.SockaddrUn;
import io.vplane.engine.linux.Sockets;
import io.vplane.perf.jmh.DefaultRun;
import io.vplane.virtio.vhostuser.TestDriverRings;
import io.vplane.virtio.vhostuser.TestFrontend;
import io.vplane.virtio.vhostuser.VhostUserSession;
import io.vplane.vsock.config.VsockDeviceConfig;
import io.vplane.vsock.config.VsockSection;
import io.vplane.vsock.packet.VsockHeader;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static io.vplane.virtio.virtq.SplitRing.*;

/**
 * One open vsock stream through the real {@link VsockDevice} on one thread: per operation the
 * "guest" puts an RW packet of {@code payloadBytes} on the tx ring (header and payload in two
 * descriptors, its fwd_cnt as credit), the device writes it to the host socket, the host side reads
 * it and writes it back (read(2) and write(2) on the accepted socket, no allocation of its own), and
 * the device copies the answer into the guest's rx buffers, which the guest takes and posts again.
 * Every byte the device handles is a real system call on a Unix socket. Time and bytes allocated per
 * round trip; in this package because the device's queue is package-private; run with
 * {@code perf/bin/vsock-packets}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class VsockPacketBenchmark extends DefaultRun
{
    private static final long CID = 3;
    private static final int SIZE = 256;
    private static final int RX_SLOTS = 32;
    private static final int RX_DATA = 4096;
    private static final long RX_BUFFERS = 0x20000;
    private static final long TX_BUFFERS = 0x80000;
    private static final int TX_SLOT_BYTES = 0x1000;
    private static final int TX_SLOTS = 16;
    private static final int GUEST_PORT = 40_000;
    private static final int HOST_PORT = 5000;
    private static final int BUF_ALLOC = 256 * 1024;

    /** RW payload per round trip, one way. */
    @Param({"64", "1024"})
    public int payloadBytes;

    private final Arena arena = Arena.ofShared();
    private Path dir;
    private TestFrontend frontend;
    private VsockDevice device;
    private VhostUserSession session;
    private VsockQueue queue;
    private MemorySegment ram;
    private MemorySegment hostBuffer;
    private int listenFd = -1;
    private int hostFd = -1;
    private TestDriverRings rings;
    private int lastRxUsed;
    private int txSlot;
    /** Bytes of RW payload the guest took from its rx buffers: its fwd_cnt. */
    private int forwarded;

    @Setup
    public void setUp() throws IOException
    {
        dir = Files.createTempDirectory("vsock-bench");
        final Counters counters = Counters.inMemory(256);
        final ErrorLog errors = new ErrorLog(counters);
        frontend = new TestFrontend();
        ram = frontend.ramBytes;
        rings = new TestDriverRings(ram, 2, SIZE);
        final Path uds = dir.resolve("vs.vsock");
        final VsockDeviceConfig config = new VsockDeviceConfig("vs", dir.resolve("vs.sock").toString(), uds.toString(), CID,
            BUF_ALLOC, 16, 8, 0, 0, VsockSection.CONNECT_TIMEOUT_MS, VsockSection.HANDSHAKE_TIMEOUT_MS);
        device = new VsockDevice(new DeviceSpec("vsock", "vs", "vsock", config), config,
            new DeviceContext(ConfigDefaults.pool("vsock"), counters, errors), new VsockRegistry());
        device.startHostSide();
        session = new VhostUserSession("bench", device, errors, device.counters().protocolErrors);
        frontend.startUp(session, device.features() | 1L << 30, device.protocolFeatures(), 2, SIZE);
        queue = device.queues().getFirst();
        hostBuffer = arena.allocate(64 * 1024, 64);

        listenFd = Sockets.socket(Sockets.AF_UNIX, Sockets.SOCK_STREAM | Sockets.SOCK_CLOEXEC, 0);
        check(Sockets.bind(listenFd, SockaddrUn.of(arena, uds + "_" + HOST_PORT)), "bind");
        check(Sockets.listen(listenFd, 1), "listen");
        for (int slot = 0; slot < RX_SLOTS; slot++)
        {
            postRx(slot);
        }
        send(VsockHeader.OP_REQUEST, 0);
        queue.poll(64); // the device connects to the host socket
        hostFd = check(Sockets.accept(listenFd), "accept");
        final long deadline = System.nanoTime() + 5_000_000_000L;
        while (!takeRx(true))
        {
            if (System.nanoTime() - deadline > 0)
            {
                throw new IllegalStateException("the stream did not open");
            }
            queue.poll(64);
        }
    }

    @Benchmark
    public int roundTrip()
    {
        send(VsockHeader.OP_RW, payloadBytes);
        queue.poll(64);
        int echoed = 0;
        while (echoed < payloadBytes)
        {
            final long rc = FileIo.read(hostFd, hostBuffer.address(), payloadBytes - echoed);
            if (rc <= 0)
            {
                throw new IllegalStateException("host read gave " + rc);
            }
            if (FileIo.write(hostFd, hostBuffer.address(), rc) != rc)
            {
                throw new IllegalStateException("host write fell short");
            }
            echoed += (int)rc;
        }
        final int before = forwarded;
        while (forwarded - before < payloadBytes)
        {
            queue.poll(64);
            takeRx(false);
        }
        return forwarded;
    }

    @TearDown
    public void tearDown() throws IOException
    {
        FileIo.close(hostFd);
        FileIo.close(listenFd);
        session.close();
        device.close();
        frontend.close();
        arena.close();
        try (var files = Files.walk(dir))
        {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }

    /** A guest packet to the host port: an RW of {@code len} bytes in two descriptors, or a control op alone. */
    private void send(final int op, final int len)
    {
        final int slot = txSlot++ % TX_SLOTS;
        final long at = TX_BUFFERS + (long)slot * TX_SLOT_BYTES;
        ram.set(ValueLayout.JAVA_LONG_UNALIGNED, at, CID);
        ram.set(ValueLayout.JAVA_LONG_UNALIGNED, at + 8, VsockHeader.HOST_CID);
        ram.set(ValueLayout.JAVA_INT_UNALIGNED, at + 16, GUEST_PORT);
        ram.set(ValueLayout.JAVA_INT_UNALIGNED, at + 20, HOST_PORT);
        ram.set(ValueLayout.JAVA_INT_UNALIGNED, at + 24, len);
        ram.set(ValueLayout.JAVA_SHORT_UNALIGNED, at + 28, (short)VsockHeader.TYPE_STREAM);
        ram.set(ValueLayout.JAVA_SHORT_UNALIGNED, at + 30, (short)op);
        ram.set(ValueLayout.JAVA_INT_UNALIGNED, at + 32, 0);
        ram.set(ValueLayout.JAVA_INT_UNALIGNED, at + 36, BUF_ALLOC);
        ram.set(ValueLayout.JAVA_INT_UNALIGNED, at + 40, forwarded);
        if (len > 0)
        {
            rings.descriptor(VsockQueue.TX, 2 * slot, at, VsockHeader.SIZE, DESC_F_NEXT, 2 * slot + 1);
            rings.descriptor(VsockQueue.TX, 2 * slot + 1, at + VsockHeader.SIZE, len, 0, 0);
        }
        else
        {
            rings.descriptor(VsockQueue.TX, 2 * slot, at, VsockHeader.SIZE, 0, 0);
        }
        rings.offer(VsockQueue.TX, 2 * slot);
    }

    /**
     * Takes every used rx buffer, counts its RW payload into the guest's fwd_cnt and posts it again.
     * @return whether a RESPONSE came, when {@code untilResponse}
     */
    private boolean takeRx(final boolean untilResponse)
    {
        boolean response = false;
        final long usedRing = TestDriverRings.ringBase(VsockQueue.RX) + TestFrontend.USED;
        final int usedIdx = rings.used(VsockQueue.RX);
        while (lastRxUsed != usedIdx)
        {
            final long element = usedRing + USED_RING_OFFSET + (long)USED_ELEM_SIZE * (lastRxUsed % SIZE);
            final int slot = ram.get(ValueLayout.JAVA_INT, element) / 2;
            final long at = RX_BUFFERS + (long)slot * (RX_DATA + 64);
            final int op = ram.get(ValueLayout.JAVA_SHORT_UNALIGNED, at + 30);
            if (VsockHeader.OP_RW == op)
            {
                forwarded += ram.get(ValueLayout.JAVA_INT_UNALIGNED, at + 24);
            }
            response |= VsockHeader.OP_RESPONSE == op;
            lastRxUsed = (lastRxUsed + 1) & 0xFFFF;
            postRx(slot);
        }
        return untilResponse ? response : true;
    }

    private void postRx(final int slot)
    {
        final long at = RX_BUFFERS + (long)slot * (RX_DATA + 64);
        rings.descriptor(VsockQueue.RX, 2 * slot, at, VsockHeader.SIZE, DESC_F_WRITE | DESC_F_NEXT, 2 * slot + 1);
        rings.descriptor(VsockQueue.RX, 2 * slot + 1, at + VsockHeader.SIZE, RX_DATA, DESC_F_WRITE, 0);
        rings.offer(VsockQueue.RX, 2 * slot);
    }

    private static int check(final int rc, final String what)
    {
        if (rc < 0)
        {
            throw new IllegalStateException(what + " failed: errno " + -rc);
        }
        return rc;
    }
}
