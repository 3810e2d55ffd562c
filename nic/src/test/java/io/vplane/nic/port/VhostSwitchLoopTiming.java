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
 * <pre>java -cp ... io.vplane.nic.port.VhostSwitchLoopTiming [reps=15] [framesPerRep=4000000] [l2|routed]</pre>
 */
public final class VhostSwitchLoopTiming
{
    private static final long MAC_A = MacAddress.parse("02:00:00:00:00:0a");
    private static final long MAC_B = MacAddress.parse("02:00:00:00:00:0b");
    private static final long RX_BUFFERS = 0x40000;
    private static final long TX_BUFFERS = 0x20000;
    private static final int SIZE = GuestDriver.SIZE;

    private VhostSwitchLoopTiming()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final int reps = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        final long perRep = args.length > 1 ? Long.parseLong(args[1]) : 4_000_000;
        final boolean routed = args.length > 2 && args[2].equals("routed");
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
            TestFrames.ethernet(MAC_B, MAC_A).ipv4Udp(ipA, ipB, 18).bytes());
        final Guest b = new Guest(dir, "pb", counters, errors, switches,
            TestFrames.ethernet(MAC_A, MAC_B).ipv4Udp(ipB, ipA, 18).bytes());
        final java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        final double[] ns = new double[reps];
        for (int r = 0; r < reps; r++)
        {
            long frames = 0;
            final long t0 = threads.getCurrentThreadCpuTime();
            while (frames < perRep)
            {
                frames += stage.doWork(64);
                a.recycle();
                b.recycle();
            }
            ns[r] = (threads.getCurrentThreadCpuTime() - t0) / (double)frames;
            System.out.printf(Locale.ROOT, "rep %2d: %.1f CPU ns/frame%n", r + 1, ns[r]);
        }
        final double[] sorted = ns.clone();
        Arrays.sort(sorted);
        System.out.printf(Locale.ROOT, "%s: min %.1f CPU ns/frame, median %.1f (last %d reps of %d frames; switch + test driver)%n",
            routed ? "routed" : "l2", sorted[0], sorted[reps / 2], reps, perRep);
        System.exit(0);
    }

    /** One guest: transmits the same frame from 256 posted buffers and receives into 256. */
    private static final class Guest
    {
        final TestFrontend frontend = new TestFrontend();
        final GuestDriver driver = new GuestDriver(frontend);
        final MemorySegment ram = driver.ram();
        int rxSeen;
        int txSeen;

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
            for (int i = 0; i < SIZE; i++)
            {
                driver.descriptor(0, i, RX_BUFFERS + i * 2048L, 2048, SplitRing.DESC_F_WRITE, 0);
                driver.offer(0, i);
                final long at = TX_BUFFERS + i * 256L;
                MemorySegment.copy(MemorySegment.ofArray(frame), 0, ram, at + VirtioNet.HEADER_SIZE, frame.length);
                driver.descriptor(1, i, at, VirtioNet.HEADER_SIZE + frame.length, 0, 0);
            }
            // half the transmit ring in flight, as the PVP loop's tx_first keeps it
            for (int i = 0; i < SIZE / 2; i++)
            {
                driver.offer(1, i);
            }
        }

        /** Gives every used receive buffer back, and sends as many frames as this guest received. */
        void recycle()
        {
            final int rxUsed = driver.usedIdx(0);
            while (rxSeen != rxUsed)
            {
                driver.offer(0, driver.usedId(0, rxSeen % SIZE));
                rxSeen = (rxSeen + 1) & 0xFFFF;
                // forward: the transmit chain returned longest ago goes out again
                final int txUsed = driver.usedIdx(1);
                if (txSeen != txUsed)
                {
                    driver.offer(1, driver.usedId(1, txSeen % SIZE));
                    txSeen = (txSeen + 1) & 0xFFFF;
                }
            }
        }
    }
}
