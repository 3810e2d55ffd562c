package io.vplane.nic.port;

import io.vplane.config.ConfigDefaults;
import io.vplane.engine.counters.Counters;
import io.vplane.engine.device.DeviceContext;
import io.vplane.engine.device.DeviceSpec;
import io.vplane.engine.errors.ErrorLog;
import io.vplane.virtio.vhostuser.TestFrontend;
import io.vplane.virtio.vhostuser.VhostUserRequest;
import io.vplane.virtio.vhostuser.VhostUserSession;
import io.vplane.virtio.virtq.SplitRing;
import io.vplane.nic.vswitch.VswitchRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.foreign.ValueLayout;
import java.util.Locale;
import java.util.Random;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzz-style rings: a driver that writes bad descriptors breaks only its own vring (counted,
 * logged, DEVICE_NEEDS_RESET reported), the poll never throws, and another port keeps working.
 */
@Timeout(60)
class MalformedRingTest
{
    private final Counters counters = Counters.inMemory(1024);
    private final ErrorLog errors = new ErrorLog(counters);

    @Test
    void shouldBreakOnlyTheVringOfEachBadChain()
    {
        expectBroken("looping chain", g ->
        {
            g.descriptor(1, 0, 0x20000, 76, SplitRing.DESC_F_NEXT, 1);
            g.descriptor(1, 1, 0x20000, 76, SplitRing.DESC_F_NEXT, 0);
            g.offer(1, 0);
        });
        expectBroken("chain longer than the queue through an indirect table", g ->
        {
            final int entries = GuestDriver.SIZE + 1;
            for (int i = 0; i < entries; i++)
            {
                final long at = 0x30000 + i * 16L;
                g.ram().set(ValueLayout.JAVA_LONG, at, TestFrontend.GPA + 0x20000);
                g.ram().set(ValueLayout.JAVA_INT, at + 8, 1);
                g.ram().set(ValueLayout.JAVA_SHORT, at + 12, (short)(i + 1 < entries ? SplitRing.DESC_F_NEXT : 0));
                g.ram().set(ValueLayout.JAVA_SHORT, at + 14, (short)(i + 1));
            }
            g.descriptor(1, 0, 0x30000, entries * 16, SplitRing.DESC_F_INDIRECT, 0);
            g.offer(1, 0);
        });
        expectBroken("length past the region", g ->
        {
            g.descriptor(1, 0, TestFrontend.RAM_BYTES - 32, 64, 0, 0);
            g.offer(1, 0);
        });
        expectBroken("address below every region", g ->
        {
            g.descriptor(1, 0, -TestFrontend.GPA, 64, 0, 0);
            g.offer(1, 0);
        });
        expectBroken("next index past the queue", g ->
        {
            g.descriptor(1, 0, 0x20000, 12, SplitRing.DESC_F_NEXT, GuestDriver.SIZE + 3);
            g.offer(1, 0);
        });
        expectBroken("head index past the queue", g -> g.offer(1, GuestDriver.SIZE + 7));
        expectBroken("avail index a ring ahead", g -> g.ram().set(ValueLayout.JAVA_SHORT,
            GuestDriver.ringBase(1) + TestFrontend.AVAIL + SplitRing.AVAIL_IDX_OFFSET, (short)(GuestDriver.SIZE + 1)));
        expectBroken("nested indirect", g ->
        {
            g.ram().set(ValueLayout.JAVA_LONG, 0x30000, TestFrontend.GPA + 0x30000);
            g.ram().set(ValueLayout.JAVA_INT, 0x30008, 16);
            g.ram().set(ValueLayout.JAVA_SHORT, 0x3000C, (short)SplitRing.DESC_F_INDIRECT);
            g.descriptor(1, 0, 0x30000, 16, SplitRing.DESC_F_INDIRECT, 0);
            g.offer(1, 0);
        });
    }

    @Test
    void shouldBreakTheReceiveVringOnAReadOnlyOrTinyBuffer()
    {
        expectBrokenRx("read-only receive buffer", g ->
        {
            g.descriptor(0, 0, 0x40000, 2048, 0, 0);
            g.offer(0, 0);
        });
        expectBrokenRx("receive buffer shorter than the header", g ->
        {
            g.descriptor(0, 0, 0x40000, 8, SplitRing.DESC_F_WRITE | SplitRing.DESC_F_NEXT, 1);
            g.descriptor(0, 1, 0x41000, 2048, SplitRing.DESC_F_WRITE, 0);
            g.offer(0, 0);
        });
    }

    @Test
    void shouldNeverThrowOnRandomRings()
    {
        final Random random = new Random(7);
        for (int round = 0; round < 50; round++)
        {
            try (Rig rig = new Rig(counters, errors, "r" + round, "loopback", "idle"))
            {
                for (int i = 0; i < 64; i++)
                {
                    final int queue = random.nextInt(2);
                    rig.guest.descriptor(queue, random.nextInt(GuestDriver.SIZE),
                        random.nextInt(4) == 0 ? random.nextLong() : random.nextInt((int)TestFrontend.RAM_BYTES),
                        random.nextInt(4) == 0 ? random.nextInt() : random.nextInt(4096),
                        random.nextInt(8), random.nextInt(4) == 0 ? random.nextInt(65536) : random.nextInt(GuestDriver.SIZE));
                    if (random.nextInt(3) == 0)
                    {
                        rig.guest.offer(queue, random.nextInt(GuestDriver.SIZE + 2));
                    }
                }
                for (int p = 0; p < 8; p++)
                {
                    rig.port.queues().get(1).poll(32);
                    rig.port.queues().get(0).poll(32);
                }
            }
        }
    }

    private void expectBroken(final String what, final Consumer<GuestDriver> corrupt)
    {
        try (Rig bad = new Rig(counters, errors, "bad", "sink", "idle");
             Rig good = new Rig(counters, errors, "good", "sink", "idle"))
        {
            corrupt.accept(bad.guest);
            good.guest.descriptor(1, 0, 0x20000, 76, 0, 0);
            good.guest.offer(1, 0);
            bad.port.queues().get(1).poll(32);
            good.port.queues().get(1).poll(32);
            assertThat(bad.value("vplane_vhost_ring_errors_total{port=\"bad\",queue=\"1\"}")).as(what).isEqualTo(1);
            assertThat(bad.port.needsReset()).as(what).isTrue();
            assertThat(bad.status()).as(what).isEqualTo(0xF | VhostUserSession.STATUS_DEVICE_NEEDS_RESET);
            // broken stays broken: no further work, no further errors
            assertThat(bad.port.queues().get(1).poll(32)).as(what).isZero();
            assertThat(bad.value("vplane_vhost_ring_errors_total{port=\"bad\",queue=\"1\"}")).as(what).isEqualTo(1);
            assertThat(good.value("vplane_vhost_frames_total{port=\"good\",queue=\"1\",dir=\"guest_tx\"}")).as(what).isEqualTo(1);
            assertThat(good.port.needsReset()).as(what).isFalse();
        }
    }

    private void expectBrokenRx(final String what, final Consumer<GuestDriver> corrupt)
    {
        try (Rig bad = new Rig(counters, errors, "badrx", "sink", "source"))
        {
            corrupt.accept(bad.guest);
            assertThat(bad.port.queues().get(0).poll(32)).as(what).isZero();
            assertThat(bad.value("vplane_vhost_ring_errors_total{port=\"badrx\",queue=\"0\"}")).as(what).isEqualTo(1);
            assertThat(bad.port.needsReset()).as(what).isTrue();
        }
    }

    /** A port on a test frontend with both vrings running. */
    private static final class Rig implements AutoCloseable
    {
        final Counters counters;
        final TestFrontend frontend = new TestFrontend();
        final GuestDriver guest = new GuestDriver(frontend);
        final VhostUserPort port;
        final VhostUserSession session;

        Rig(final Counters counters, final ErrorLog errors, final String name, final String guestTx, final String guestRx)
        {
            this.counters = counters;
            final VhostUserPortConfig settings = new VhostUserPortConfig(name, "/nonexistent/" + name, VhostUserPortConfig.Mode.SERVER, 1,
                "52:54:00:12:34:56", VhostUserPortConfig.GuestTx.valueOf(guestTx.toUpperCase(Locale.ROOT)),
            VhostUserPortConfig.GuestRx.valueOf(guestRx.toUpperCase(Locale.ROOT)), 60, VhostUserSection.VSWITCH);
            port = new VhostUserPort(new DeviceSpec("vhostUser", name, "net", settings), settings,
                new DeviceContext(ConfigDefaults.pool("net"), counters, errors), new VswitchRegistry());
            session = new VhostUserSession(name, port, errors, counters.counter("vplane_rig_protocol_errors_total", "port", name));
            frontend.startUp(session, VhostUserPortTest.FEATURES, 2, GuestDriver.SIZE);
        }

        int status()
        {
            frontend.message(VhostUserRequest.GET_STATUS, 0, false);
            frontend.exchange(session);
            return (int)frontend.readReply().payloadLong(0);
        }

        long value(final String label)
        {
            return counters.value(label);
        }

        @Override
        public void close()
        {
            session.close();
            port.close();
            frontend.close();
        }
    }
}
