package io.vplane.nic.port;

import io.vplane.config.ConfigDefaults;
import io.vplane.engine.counters.Counters;
import io.vplane.engine.device.DeviceContext;
import io.vplane.engine.device.DeviceSpec;
import io.vplane.engine.errors.ErrorLog;
import io.vplane.nic.frame.MacAddress;
import io.vplane.nic.frame.TestFrames;
import io.vplane.engine.linux.EventFd;
import io.vplane.engine.linux.FileIo;
import io.vplane.virtio.vhostuser.TestFrontend;
import io.vplane.virtio.vhostuser.VhostUserSession;
import io.vplane.virtio.virtq.SplitRing;
import io.vplane.nic.vswitch.TranslationEntry;
import io.vplane.nic.vswitch.VswitchConfig;
import io.vplane.nic.vswitch.VswitchDevice;
import io.vplane.nic.vswitch.VswitchRegistry;
import io.vplane.nic.vswitch.VswitchStage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Two vhost-user ports with {@code guestTx: switch} on one switch, the switch's cycle run by the test. */
@Timeout(30)
class VhostSwitchPortTest
{
    private static final long MAC_A = MacAddress.parse("02:00:00:00:00:0a");
    private static final long MAC_B = MacAddress.parse("02:00:00:00:00:0b");
    private static final long RX_BUFFERS = 0x40000;
    private static final long TX_BUFFERS = 0x20000;

    private final VswitchRegistry switches = new VswitchRegistry();

    @TempDir
    Path dir;

    private final Counters counters = Counters.inMemory(1024);
    private final ErrorLog errors = new ErrorLog(counters);
    private final Guest a = new Guest();
    private final Guest b = new Guest();
    private VswitchDevice vswitch;
    private VswitchStage stage;

    @BeforeEach
    void open()
    {
        stage = new VswitchStage(VswitchConfig.defaults("swt"), counters, System::nanoTime);
        stage.table().replaceAll(List.of(
            TranslationEntry.of("10.0.0.1", "02:00:00:00:00:0a", "02:ff:00:00:00:01", "pa"),
            TranslationEntry.of("10.0.0.2", "02:00:00:00:00:0b", "02:ff:00:00:00:01", "pb")));
        vswitch = new VswitchDevice(new DeviceSpec("vswitch", "swt", "net", null), stage, switches);
        vswitch.start();
        a.open("pa");
        b.open("pb");
    }

    @AfterEach
    void close()
    {
        a.close();
        b.close();
        vswitch.close();
    }

    @Test
    void shouldSwitchAFrameFromOneGuestIntoTheOthersReceiveBufferAndReturnTheTransmitChain()
    {
        assertThat(stage.ports()).containsExactly("pa", "pb");
        final byte[] frame = frame(MAC_B, MAC_A, "10.0.0.1", "10.0.0.2");
        b.offerRxBuffers(4);
        a.send(0, frame, false);

        assertThat(stage.doWork(64)).isEqualTo(1);

        assertThat(a.driver.usedIdx(1)).isEqualTo(1);
        assertThat(a.driver.usedId(1, 0)).isZero();
        assertThat(b.driver.usedIdx(0)).isEqualTo(1);
        assertThat(b.driver.usedLen(0, 0)).isEqualTo(VirtioNet.HEADER_SIZE + frame.length);
        assertThat(b.received(0, frame.length)).isEqualTo(frame);
        assertThat(value("vplane_vswitch_vm_to_vm_total{switch=\"swt\"}")).isEqualTo(1);
        assertThat(value("vplane_vswitch_copies_total{switch=\"swt\"}")).isEqualTo(1);
        assertThat(stage.portStats("pa").rxFrames()).isEqualTo(1);
        assertThat(stage.portStats("pb").txFrames()).isEqualTo(1);
        assertThat(value("vplane_vhost_frames_total{port=\"pa\",queue=\"1\",dir=\"guest_tx\"}")).isEqualTo(1);
        assertThat(value("vplane_vhost_frames_total{port=\"pb\",queue=\"0\",dir=\"guest_rx\"}")).isEqualTo(1);
        assertThat(value("vplane_vhost_linearized_total{port=\"pa\"}")).isZero();
    }

    @Test
    void shouldSwitchAFullBurstInOrderWithEveryFrameIntactAndReturnEveryTransmitChainInOrder()
    {
        // a burst as large as the switch takes (burstSize 32): its frame starts are isolated in one
        // loop before any is switched, so each frame must still go out with its own bytes, in order
        final int burst = VswitchConfig.defaults("swt").burstSize();
        final byte[][] frames = new byte[burst][];
        b.offerRxBuffers(burst);
        for (int i = 0; i < burst; i++)
        {
            frames[i] = frame(MAC_B, MAC_A, "10.0.0.1", "10.0.0.2");
            // a sequence number in the last two payload bytes
            frames[i][frames[i].length - 2] = (byte)(i >> 8);
            frames[i][frames[i].length - 1] = (byte)i;
            a.send(i, frames[i], false);
        }

        assertThat(stage.doWork(1024)).isEqualTo(burst);

        assertThat(b.driver.usedIdx(0)).isEqualTo(burst);
        assertThat(a.driver.usedIdx(1)).isEqualTo(burst);
        for (int i = 0; i < burst; i++)
        {
            assertThat(b.received(i, frames[i].length)).as("frame %d", i).isEqualTo(frames[i]);
            assertThat(a.driver.usedId(1, i)).as("transmit chain %d", i).isEqualTo(i);
        }
        assertThat(value("vplane_vswitch_vm_to_vm_total{switch=\"swt\"}")).isEqualTo(burst);
    }

    @Test
    void shouldTakeAFrameBehindAHeaderOnlyDescriptorInPlaceAndLinearizeAScatteredOne()
    {
        final byte[] frame = frame(MAC_B, MAC_A, "10.0.0.1", "10.0.0.2");
        b.offerRxBuffers(4);
        a.send(0, frame, true);
        a.sendScattered(2, frame);

        assertThat(stage.doWork(64)).isEqualTo(2);

        assertThat(a.driver.usedIdx(1)).isEqualTo(2);
        assertThat(b.driver.usedIdx(0)).isEqualTo(2);
        assertThat(b.received(0, frame.length)).isEqualTo(frame);
        assertThat(b.received(1, frame.length)).isEqualTo(frame);
        assertThat(value("vplane_vhost_linearized_total{port=\"pa\"}")).isEqualTo(1);
    }

    @Test
    void shouldRefuseAndStillReturnTheTransmitChainWhenTheOtherGuestHasNoReceiveBuffer()
    {
        final byte[] frame = frame(MAC_B, MAC_A, "10.0.0.1", "10.0.0.2");
        a.send(0, frame, false);

        assertThat(stage.doWork(64)).isEqualTo(1);

        assertThat(a.driver.usedIdx(1)).isEqualTo(1);
        assertThat(b.driver.usedIdx(0)).isZero();
        assertThat(value("vplane_vswitch_port_drops_total{switch=\"swt\",port=\"pb\",reason=\"tx_refused\"}")).isEqualTo(1);
        assertThat(value("vplane_vhost_drops_total{port=\"pb\",queue=\"0\",reason=\"no_rx_buffer\"}")).isEqualTo(1);

        // buffers arrive: the next frame goes through, the switch still holds nothing of the old one
        b.offerRxBuffers(1);
        a.send(1, frame, false);
        assertThat(stage.doWork(64)).isEqualTo(1);
        assertThat(b.driver.usedIdx(0)).isEqualTo(1);
    }

    @Test
    void shouldAllocateNothingPerBurstOnceRunning()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)java.lang.management.ManagementFactory.getThreadMXBean();
        final byte[] frame = frame(MAC_B, MAC_A, "10.0.0.1", "10.0.0.2");
        final int burst = 32;
        // calls go through FileIo.write, which is not what this test measures
        a.driver.noInterrupt(1);
        b.driver.noInterrupt(0);
        for (int i = 0; i < burst; i++)
        {
            final long at = TX_BUFFERS + i * 4096L;
            MemorySegment.copy(MemorySegment.ofArray(frame), 0, a.driver.ram(), at + VirtioNet.HEADER_SIZE, frame.length);
            a.driver.descriptor(1, i, at, VirtioNet.HEADER_SIZE + frame.length, 0, 0);
            b.driver.descriptor(0, i, RX_BUFFERS + i * 2048L, 2048, SplitRing.DESC_F_WRITE, 0);
        }
        long frames = 0;
        long before = 0;
        for (int round = 0; round < 4_000; round++)
        {
            if (round == 2_000)
            {
                before = threads.getCurrentThreadAllocatedBytes();
                frames = 0;
            }
            for (int i = 0; i < burst; i++)
            {
                a.driver.offer(1, i);
                b.driver.offer(0, i);
            }
            frames += stage.doWork(64);
        }
        final long allocated = threads.getCurrentThreadAllocatedBytes() - before;

        assertThat(frames).isEqualTo(2_000L * burst);
        assertThat(stage.portStats("pb").txFrames()).isEqualTo(4_000L * burst);
        assertThat(allocated).as("bytes allocated for %d frames", frames).isLessThan(1024);
    }

    @Test
    void shouldLeaveTheSwitchWhenThePortCloses()
    {
        final Thread cycles = Thread.ofPlatform().start(() ->
        {
            while (!Thread.currentThread().isInterrupted())
            {
                stage.doWork(64);
                Thread.onSpinWait();
            }
        });
        try
        {
            a.close();
            assertThat(stage.ports()).containsExactly("pb");
        }
        finally
        {
            cycles.interrupt();
        }
    }

    @Test
    void shouldForwardTheHeaderItDecidedOnWhenTheGuestRewritesItsBufferMeanwhile()
    {
        // flood order is attach order: pa, the racer, then a new pb; the racer plays guest A
        // rewriting its posted buffer between the switch's anti-spoofing check and pb's copy
        b.close();
        final RacingPort racer = new RacingPort();
        stage.attach(racer);
        final Guest c = new Guest();
        c.open("pb");
        try
        {
            final byte[] frame = frame(MacAddress.BROADCAST, MAC_A, "10.0.0.1", "10.0.0.2");
            c.offerRxBuffers(1);
            a.send(0, frame, false);

            assertThat(stage.doWork(64)).isEqualTo(1);

            assertThat(racer.rewrites).as("the guest did rewrite its buffer").isEqualTo(1);
            assertThat(c.driver.usedIdx(0)).isEqualTo(1);
            assertThat(c.received(0, frame.length)).as("what was checked is what went out").isEqualTo(frame);
        }
        finally
        {
            c.close();
        }
    }

    @Test
    void shouldStopOnlyTheRingsOfAGuestWhoseMemoryShrankAndKeepSwitching() throws java.io.IOException
    {
        b.offerRxBuffers(2);
        a.send(0, frame(MAC_B, MAC_A, "10.0.0.1", "10.0.0.2"), false);
        ShrunkGuestMemoryTest.truncate(a.frontend.ramFd);

        assertThat(stage.doWork(64)).as("the switch's cycle returns").isZero();
        assertThat(value("vplane_vhost_ring_errors_total{port=\"pa\",queue=\"1\"}")).isEqualTo(1);

        // the other guest sends to it: refused (its receive ring faults), the sender's chain comes back
        b.send(0, frame(MAC_A, MAC_B, "10.0.0.2", "10.0.0.1"), false);
        assertThat(stage.doWork(64)).isEqualTo(1);
        assertThat(b.driver.usedIdx(1)).isEqualTo(1);
        assertThat(value("vplane_vhost_ring_errors_total{port=\"pa\",queue=\"0\"}")).isEqualTo(1);
        assertThat(stage.ports()).containsExactly("pa", "pb");
    }

    /** A VM port on the switch that, when it gets a frame, rewrites the sender's IPv4 source in the sender's own buffer. */
    private static final class RacingPort implements io.vplane.nic.vswitch.SwitchPort
    {
        int rewrites;

        @Override
        public String name()
        {
            return "racer";
        }

        @Override
        public io.vplane.nic.vswitch.PortRole role()
        {
            return io.vplane.nic.vswitch.PortRole.VM;
        }

        @Override
        public int receive(final io.vplane.nic.vswitch.FrameBurst burst)
        {
            return 0;
        }

        @Override
        public int transmit(final io.vplane.nic.vswitch.FrameBurst burst, final int index)
        {
            // IPv4 source at 14 + 12: now 10.0.0.2, pb's address
            MemorySegment.ofAddress(burst.address(index)).reinterpret(64).set(ValueLayout.JAVA_BYTE, 29, (byte)2);
            rewrites++;
            return TX_REFUSED;
        }

        @Override
        public void release(final io.vplane.nic.vswitch.FrameBurst burst)
        {
        }

        @Override
        public void flush()
        {
        }
    }

    private static byte[] frame(final long dst, final long src, final String srcIp, final String dstIp)
    {
        return TestFrames.ethernet(dst, src).ipv4Udp(srcIp, dstIp, 18).bytes();
    }

    private long value(final String label)
    {
        return counters.value(label);
    }

    /** One guest: its frontend, its driver, its port. */
    private final class Guest
    {
        final TestFrontend frontend = new TestFrontend();
        final GuestDriver driver = new GuestDriver(frontend);
        VhostUserPort port;
        VhostUserSession session;
        int rxCall = -1;
        int txCall = -1;
        boolean closed;

        void open(final String name)
        {
            final VhostUserPortConfig settings = new VhostUserPortConfig(name, dir.resolve(name + ".sock").toString(),
                VhostUserPortConfig.Mode.SERVER, 1, "52:54:00:12:34:56", VhostUserPortConfig.GuestTx.SWITCH,
                VhostUserPortConfig.GuestRx.IDLE, 60, "swt");
            port = new VhostUserPort(new DeviceSpec("vhostUser", name, "net", settings), settings,
                new DeviceContext(ConfigDefaults.pool("net"), counters, errors), switches);
            port.start();
            session = new VhostUserSession("test", port, errors, counters.counter("vplane_test_protocol_errors_total", "port", name));
            rxCall = EventFd.create(0, EventFd.EFD_CLOEXEC | EventFd.EFD_NONBLOCK);
            txCall = EventFd.create(0, EventFd.EFD_CLOEXEC | EventFd.EFD_NONBLOCK);
            frontend.startUp(session, VhostUserPortTest.FEATURES, 2, GuestDriver.SIZE, rxCall, txCall);
        }

        void offerRxBuffers(final int count)
        {
            final int used = driver.usedIdx(0);
            for (int i = 0; i < count; i++)
            {
                final int desc = used + i;
                driver.descriptor(0, desc, RX_BUFFERS + desc * 2048L, 2048, SplitRing.DESC_F_WRITE, 0);
                driver.offer(0, desc);
            }
        }

        void send(final int desc, final byte[] frame, final boolean headerApart)
        {
            final long at = TX_BUFFERS + desc * 4096L;
            MemorySegment.copy(MemorySegment.ofArray(frame), 0, driver.ram(), at + VirtioNet.HEADER_SIZE, frame.length);
            if (headerApart)
            {
                driver.descriptor(1, desc, at, VirtioNet.HEADER_SIZE, SplitRing.DESC_F_NEXT, desc + 1);
                driver.descriptor(1, desc + 1, at + VirtioNet.HEADER_SIZE, frame.length, 0, 0);
            }
            else
            {
                driver.descriptor(1, desc, at, VirtioNet.HEADER_SIZE + frame.length, 0, 0);
            }
            driver.offer(1, desc);
        }

        /** Header and the first 20 bytes in one descriptor, the rest in another. */
        void sendScattered(final int desc, final byte[] frame)
        {
            final long at = TX_BUFFERS + desc * 4096L;
            MemorySegment.copy(MemorySegment.ofArray(frame), 0, driver.ram(), at + VirtioNet.HEADER_SIZE, frame.length);
            driver.descriptor(1, desc, at, VirtioNet.HEADER_SIZE + 20, SplitRing.DESC_F_NEXT, desc + 1);
            driver.descriptor(1, desc + 1, at + VirtioNet.HEADER_SIZE + 20, frame.length - 20, 0, 0);
            driver.offer(1, desc);
        }

        byte[] received(final int slot, final int length)
        {
            final int desc = driver.usedId(0, slot);
            return driver.ram().asSlice(RX_BUFFERS + desc * 2048L + VirtioNet.HEADER_SIZE, length).toArray(ValueLayout.JAVA_BYTE);
        }

        void close()
        {
            if (closed)
            {
                return;
            }
            closed = true;
            session.close();
            port.close();
            frontend.close();
            FileIo.close(rxCall);
            FileIo.close(txCall);
        }
    }
}
