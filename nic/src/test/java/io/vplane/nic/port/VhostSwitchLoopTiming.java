package io.vplane.nic.port;

import io.vplane.config.ConfigDefaults;
import io.vplane.engine.counters.Counters;
import io.vplane.engine.device.DeviceContext;
import io.vplane.engine.device.DeviceSpec;
import io.vplane.engine.errors.ErrorLog;
import io.vplane.engine.linux.EventFd;
import io.vplane.nic.frame.MacAddress;
import io.vplane.nic.frame.TestFrames;
import io.vplane.nic.vswitch.TranslationEntry;
import io.vplane.nic.vswitch.VswitchConfig;
import io.vplane.nic.vswitch.VswitchDevice;
import io.vplane.nic.vswitch.VswitchRegistry;
import io.vplane.nic.vswitch.VswitchStage;
import io.vplane.virtio.vhostuser.TestFrontend;
import io.vplane.virtio.vhostuser.VhostUserSession;
import io.vplane.virtio.virtq.SplitRing;

import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Measurement helper, not a test: the switch's own cost per frame between two vhost-user ports on
 * one thread, every ring and buffer in L1/L2 (no second core). Guest a and guest b each send full
 * bursts of 64-byte frames to the other (plain L2, or routed by the table with {@code routed}) and
 * give back every used transmit and receive buffer at once, as testpmd's io forwarding does. Prints
 * CPU ns of this thread per frame (its own CPU time, not wall-clock: the core is shared; minimum and median of the repetitions: the minimum is the run least disturbed by
 * other processes on the core).
 * <p>With {@code cross} the two guests run on a second thread, as testpmd's io forwarding does on its
 * own core: each refill rewrites the descriptor, a received frame's virtio-net header is read and a
 * sent one's written, so the switch meets the cache-line transfers between cores of the PVP loop.
 * Only the switch's cycles that moved frames are timed then, by the wall clock, leaving out those
 * long enough to have been preempted (the guests' thread may be off its CPU, and the thread's CPU
 * clock costs a system call per read).
 * <pre>java -cp ... io.vplane.nic.port.VhostSwitchLoopTiming [reps=15] [framesPerRep=4000000] [l2|routed] [frameBytes=64] [cross]</pre>
 */
public final class VhostSwitchLoopTiming
{
    private static final long MAC_A = MacAddress.parse("02:00:00:00:00:0a");
    private static final long MAC_B = MacAddress.parse("02:00:00:00:00:0b");
    private static final long RX_BUFFERS = 0x40000;
    private static final long TX_BUFFERS = 0x20000;
    private static final int SIZE = GuestDriver.SIZE;
    /** A cycle that took this long was preempted (a burst takes microseconds, a time slice milliseconds). */
    private static final long PREEMPTED_NS = 200_000;

    private VhostSwitchLoopTiming()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final int reps = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        final long perRep = args.length > 1 ? Long.parseLong(args[1]) : 4_000_000;
        final boolean routed = args.length > 2 && args[2].equals("routed");
        final int frameBytes = args.length > 3 ? Integer.parseInt(args[3]) : 64;
        // Ethernet 14 + IPv4 20 + UDP 8 + payload + FCS 4 (not carried) = frameBytes
        final int payload = frameBytes - 46;
        if (payload < 18 || frameBytes > 2048 - VirtioNet.HEADER_SIZE)
        {
            throw new IllegalArgumentException("frameBytes must be 64.." + (2048 - VirtioNet.HEADER_SIZE));
        }
        final Path dir = Files.createTempDirectory("vsw-timing");
        final Counters counters = Counters.inMemory(1024);
        final ErrorLog errors = new ErrorLog(counters);
        final VswitchRegistry switches = new VswitchRegistry();
        final VswitchStage stage = new VswitchStage(VswitchConfig.defaults("swt"), counters, System::nanoTime);
        final String ipA = routed ? "10.0.0.1" : "10.9.0.1";
        final String ipB = routed ? "10.0.0.2" : "10.9.0.2";
        stage.table().replaceAll(List.of(
            TranslationEntry.of("10.0.0.1", "02:00:00:00:00:0a", "02:ff:00:00:00:01", "pa"),
            TranslationEntry.of("10.0.0.2", "02:00:00:00:00:0b", "02:ff:00:00:00:01", "pb")));
        final VswitchDevice vswitch = new VswitchDevice(new DeviceSpec("vswitch", "swt", "net", null), stage, switches);
        vswitch.start();
        final Guest a = new Guest(dir, "pa", counters, errors, switches,
            TestFrames.ethernet(MAC_B, MAC_A).ipv4Udp(ipA, ipB, payload).bytes());
        final Guest b = new Guest(dir, "pb", counters, errors, switches,
            TestFrames.ethernet(MAC_A, MAC_B).ipv4Udp(ipB, ipA, payload).bytes());
        final boolean cross = args.length > 4 && args[4].equals("cross");
        final java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean(true);
        final Thread guests = new Thread(() ->
        {
            while (running.getPlain())
            {
                a.recycle(true);
                b.recycle(true);
                Thread.onSpinWait();
            }
        }, "guests");
        guests.setDaemon(true);
        if (cross)
        {
            guests.start();
        }
        final java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        final double[] ns = new double[reps];
        for (int r = 0; r < reps; r++)
        {
            long frames = 0;
            long cpu = 0;
            long cycles = 0;
            final long t0 = threads.getCurrentThreadCpuTime();
            while (frames < perRep)
            {
                if (cross)
                {
                    // the thread's CPU clock is a system call here (~1 us): wall-clock per cycle
                    // instead, leaving out any cycle long enough to hold a preemption
                    final long before = System.nanoTime();
                    final int moved = stage.doWork(64);
                    final long took = System.nanoTime() - before;
                    if (moved > 0 && took < PREEMPTED_NS)
                    {
                        cpu += took;
                        frames += moved;
                        cycles++;
                    }
                }
                else
                {
                    frames += stage.doWork(64);
                    a.recycle(false);
                    b.recycle(false);
                }
            }
            if (!cross)
            {
                cpu = threads.getCurrentThreadCpuTime() - t0;
            }
            ns[r] = cpu / (double)frames;
            System.out.printf(Locale.ROOT, "rep %2d: %.1f CPU ns/frame%s%n", r + 1, ns[r],
                cross ? String.format(Locale.ROOT, " (%.1f frames per cycle)", frames / (double)cycles) : "");
        }
        running.setPlain(false);
        final double[] sorted = ns.clone();
        Arrays.sort(sorted);
        System.out.printf(Locale.ROOT, "%s %d B%s: min %.1f CPU ns/frame, median %.1f (%d reps of %d frames; %s)%n",
            routed ? "routed" : "l2", frameBytes, cross ? " cross" : "", sorted[0], sorted[reps / 2], reps, perRep,
            cross ? "ns of the switch's cycles that moved frames, guests on another thread" : "switch + test driver");
        System.exit(0);
    }

    /**
     * One guest: transmits the same frame from 256 posted chains and receives into 256 buffers of 2 KiB.
     * The transmit chains share as many buffers as fit below the receive buffers (all 256 for short frames).
     */
    private static final class Guest
    {
        final TestFrontend frontend = new TestFrontend();
        final GuestDriver driver = new GuestDriver(frontend);
        final MemorySegment ram = driver.ram();
        int rxSeen;
        int txSeen;
        long txStride;
        long txBuffers;
        int txLength;
        /** What the guest read of the headers it received (kept, so the reads stay). */
        long headerSum;

        Guest(final Path dir, final String name, final Counters counters, final ErrorLog errors,
            final VswitchRegistry switches, final byte[] frame)
        {
            final VhostUserPortConfig settings = new VhostUserPortConfig(name, dir.resolve(name + ".sock").toString(),
                VhostUserPortConfig.Mode.SERVER, 1, "52:54:00:12:34:56", VhostUserPortConfig.GuestTx.SWITCH,
                VhostUserPortConfig.GuestRx.IDLE, 60, "swt");
            final VhostUserPort port = new VhostUserPort(new DeviceSpec("vhostUser", name, "net", settings), settings,
                new DeviceContext(ConfigDefaults.pool("net"), counters, errors), switches);
            port.start();
            final VhostUserSession session = new VhostUserSession("t", port, errors,
                counters.counter("vplane_test_protocol_errors_total", "port", name));
            final int rxCall = EventFd.create(0, EventFd.EFD_CLOEXEC | EventFd.EFD_NONBLOCK);
            final int txCall = EventFd.create(0, EventFd.EFD_CLOEXEC | EventFd.EFD_NONBLOCK);
            frontend.startUp(session, VhostUserPortTest.FEATURES, 2, SIZE, rxCall, txCall);
            driver.noInterrupt(0);
            driver.noInterrupt(1);
            txStride = Math.max(256, (VirtioNet.HEADER_SIZE + frame.length + 63) & ~63L);
            txBuffers = Math.min(SIZE, (RX_BUFFERS - TX_BUFFERS) / txStride);
            txLength = VirtioNet.HEADER_SIZE + frame.length;
            for (int i = 0; i < SIZE; i++)
            {
                driver.descriptor(0, i, RX_BUFFERS + i * 2048L, 2048, SplitRing.DESC_F_WRITE, 0);
                driver.offer(0, i);
                final long at = TX_BUFFERS + i % txBuffers * txStride;
                MemorySegment.copy(MemorySegment.ofArray(frame), 0, ram, at + VirtioNet.HEADER_SIZE, frame.length);
                driver.descriptor(1, i, at, VirtioNet.HEADER_SIZE + frame.length, 0, 0);
            }
            // half the transmit ring in flight, as the PVP loop's tx_first keeps it
            for (int i = 0; i < SIZE / 2; i++)
            {
                driver.offer(1, i);
            }
        }

        /**
         * Gives every used receive buffer back, and sends as many frames as this guest received. On
         * its own thread ({@code cross}) it also does what a guest driver does to the lines the
         * switch then reads: rewrites each descriptor it posts, reads a received frame's header and
         * writes a sent frame's, and orders its index stores after the entries (release).
         */
        void recycle(final boolean cross)
        {
            final int rxUsed = driver.usedIdx(0);
            if (cross)
            {
                java.lang.invoke.VarHandle.acquireFence();
            }
            while (rxSeen != rxUsed)
            {
                final int rxId = driver.usedId(0, rxSeen % SIZE);
                if (cross)
                {
                    headerSum += ram.get(java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED, RX_BUFFERS + rxId * 2048L + 10);
                    driver.descriptor(0, rxId, RX_BUFFERS + rxId * 2048L, 2048, SplitRing.DESC_F_WRITE, 0);
                    java.lang.invoke.VarHandle.releaseFence();
                }
                driver.offer(0, rxId);
                rxSeen = (rxSeen + 1) & 0xFFFF;
                // forward: the transmit chain returned longest ago goes out again
                final int txUsed = driver.usedIdx(1);
                if (txSeen != txUsed)
                {
                    final int txId = driver.usedId(1, txSeen % SIZE);
                    if (cross)
                    {
                        final long at = TX_BUFFERS + txId % txBuffers * txStride;
                        ram.set(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, at, 0L);
                        ram.set(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED, at + 8, 0);
                        driver.descriptor(1, txId, at, txLength, 0, 0);
                        java.lang.invoke.VarHandle.releaseFence();
                    }
                    driver.offer(1, txId);
                    txSeen = (txSeen + 1) & 0xFFFF;
                }
            }
        }
    }
}
