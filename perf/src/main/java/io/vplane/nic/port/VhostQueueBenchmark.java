package io.vplane.nic.port;

import io.vplane.engine.counters.Counters;
import io.vplane.engine.errors.ErrorLog;
import io.vplane.perf.jmh.DefaultRun;
import io.vplane.virtio.memory.GuestMemory;
import io.vplane.virtio.memory.MemoryRegion;
import io.vplane.virtio.virtq.SplitVirtQueue;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;

import static io.vplane.virtio.virtq.SplitRing.*;

/**
 * The device side of a vhost-user net port on one thread, over rings in memory (no peer process):
 * per call the "driver" makes a burst of 32 single-descriptor chains available and the real
 * {@link TxQueue} (guest to vplane, sink: walk, touch, return) or {@link RxQueue} (vplane to guest:
 * header and a generated frame of {@code frameBytes} copied in) takes them. Frames per second, one thread.
 * In this package because the queues are package-private; run with {@code perf/bin/vhost-queues}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class VhostQueueBenchmark extends DefaultRun
{
    private static final int SIZE = 256;
    private static final int BURST = 32;
    private static final long GPA = 0x4000_0000L;
    private static final long UADDR = 0x7f00_0000_0000L;
    private static final long DESC = 0;
    private static final long AVAIL = 0x1000;
    private static final long USED = 0x2000;
    private static final long BUFFERS = 0x10000;
    private static final int BUFFER_BYTES = 2048;

    /** Frame length (without the 12-byte header) sent and received; 1518 needs one 2 KiB buffer. */
    @Param({"64", "1518"})
    public int frameBytes;

    private final Arena arena = Arena.ofShared();
    private Counters counters;
    private GuestMemory txMemory;
    private GuestMemory rxMemory;
    private MemorySegment txRam;
    private MemorySegment rxRam;
    private SplitVirtQueue txRing;
    private SplitVirtQueue rxRing;
    private TxQueue tx;
    private RxQueue rx;

    @Setup
    public void setUp()
    {
        counters = Counters.inMemory(256);
        final ErrorLog errors = new ErrorLog(counters);
        txRam = arena.allocate(BUFFERS + (long)SIZE * BUFFER_BYTES, 4096);
        rxRam = arena.allocate(BUFFERS + (long)SIZE * BUFFER_BYTES, 4096);
        txMemory = GuestMemory.wrap(new MemoryRegion[] {new MemoryRegion(GPA, txRam.byteSize(), UADDR, 0)}, new MemorySegment[] {txRam});
        rxMemory = GuestMemory.wrap(new MemoryRegion[] {new MemoryRegion(GPA, rxRam.byteSize(), UADDR, 0)}, new MemorySegment[] {rxRam});
        for (int i = 0; i < SIZE; i++)
        {
            descriptor(txRam, i, VirtioNet.HEADER_SIZE + frameBytes, 0);
            descriptor(rxRam, i, BUFFER_BYTES, DESC_F_WRITE);
        }
        txRing = SplitVirtQueue.create(txMemory, SIZE, UADDR + DESC, UADDR + AVAIL, UADDR + USED, 0, -1, false);
        rxRing = SplitVirtQueue.create(rxMemory, SIZE, UADDR + DESC, UADDR + AVAIL, UADDR + USED, 0, -1, false);
        tx = new TxQueue("bench", 1, errors, new QueueCounters(counters, "bench", 1), null, new GuestRxWriter());
        rx = new RxQueue("bench", 0, errors, new QueueCounters(counters, "bench", 0),
            new TemplateFrame(arena, new byte[] {0x52, 0x54, 0, 0, 0, 1}, frameBytes), new GuestRxWriter());
    }

    @TearDown
    public void tearDown()
    {
        tx.close();
        rx.close();
        txMemory.close();
        rxMemory.close();
        arena.close();
    }

    @Benchmark
    @OperationsPerInvocation(BURST)
    public int guestTx()
    {
        offer(txRam);
        return tx.process(txRing, BURST);
    }

    @Benchmark
    @OperationsPerInvocation(BURST)
    public int guestRx()
    {
        offer(rxRam);
        return rx.process(rxRing, BURST);
    }

    /** The driver's side: a burst of heads, then the avail index with release. */
    private static void offer(final MemorySegment ram)
    {
        final int idx = ram.get(ValueLayout.JAVA_SHORT, AVAIL + AVAIL_IDX_OFFSET) & 0xFFFF;
        for (int i = 0; i < BURST; i++)
        {
            final int slot = (idx + i) & (SIZE - 1);
            ram.set(ValueLayout.JAVA_SHORT, AVAIL + AVAIL_RING_OFFSET + 2L * slot, (short)slot);
        }
        ValueLayout.JAVA_SHORT.varHandle().setRelease(ram, AVAIL + AVAIL_IDX_OFFSET, (short)(idx + BURST));
    }

    private static void descriptor(final MemorySegment ram, final int index, final int len, final int flags)
    {
        final long at = DESC + (long)index * DESC_SIZE;
        ram.set(ValueLayout.JAVA_LONG, at, GPA + BUFFERS + (long)index * BUFFER_BYTES);
        ram.set(ValueLayout.JAVA_INT, at + 8, len);
        ram.set(ValueLayout.JAVA_SHORT, at + 12, (short)flags);
        ram.set(ValueLayout.JAVA_SHORT, at + 14, (short)0);
    }
}
