package io.vplane.nic.uplink;

import io.vplane.engine.counters.Counters;
import io.vplane.engine.errors.ErrorLog;
import io.vplane.engine.linux.FileIo;
import io.vplane.engine.linux.NetInterfaces;
import io.vplane.engine.linux.SockaddrXdp;
import io.vplane.engine.linux.XdpRing;
import io.vplane.engine.linux.XdpSocket;
import io.vplane.nic.vswitch.FrameBurst;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The AF_XDP port's rings under bursts, without a switch: a veth pair, the port (program in veth's
 * native hook, copy mode, 64-chunk rings) on one end, a plain AF_XDP socket sending on the other.
 * Many times more frames than the port has receive chunks go through in bursts of 32 while the test
 * plays the switch (receive, release), so chunks must go back to the fill ring every time: every frame
 * arrives, in order, and the kernel counts no drop. Needs root; skips saying why otherwise.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AfXdpPortTest
{
    private static final int RING = 64;
    private static final int FRAME_SIZE = 2048;
    private static final int FRAMES = 20 * RING;
    private static final int BATCH = 32;
    private static final short ETHER_TYPE = (short)0x88b5;

    private final String a = "vxp" + ProcessHandle.current().pid() % 100_000 + "a";
    private final String b = a.substring(0, a.length() - 1) + "b";
    private final Counters counters = Counters.inMemory(64);
    private AfXdpUplinkDevice.Opened opened;
    private XdpSocket sender;
    private final UplinkCounters uplink = new UplinkCounters(counters, "ax0");

    @BeforeAll
    static void needsRootAndAfXdp()
    {
        assumeTrue("root".equals(System.getProperty("user.name")), "AF_XDP port test skipped: needs root (veth, BPF, AF_XDP)");
        assumeTrue(XdpSocket.capability().isAvailable(), "AF_XDP port test skipped: " + XdpSocket.capability().missingReason());
    }

    @AfterEach
    void cleanUp() throws Exception
    {
        if (null != sender)
        {
            sender.close();
        }
        if (null != opened)
        {
            for (final int fd : opened.fds())
            {
                FileIo.close(fd);
            }
            opened.port().close();
        }
        run("ip", "link", "del", a);
    }

    @Test
    void shouldReceiveManyTimesItsRingInBurstsGivingEveryChunkBack() throws Exception
    {
        setUp();
        final AfXdpPort port = opened.port();
        final FrameBurst burst = new FrameBurst(BATCH);
        int sent = 0;
        int received = 0;
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (received < FRAMES && System.nanoTime() < deadline)
        {
            if (sent < FRAMES && sent - received < RING / 2)
            {
                sent += send(sender, Math.min(BATCH, FRAMES - sent), sent);
            }
            burst.clear();
            final int n = port.receive(burst);
            for (int i = 0; i < n; i++)
            {
                final long frame = burst.address(i);
                final MemorySegment bytes = MemorySegment.ofAddress(frame).reinterpret(burst.length(i));
                if (bytes.get(JAVA_SHORT_UNALIGNED, 12) == Short.reverseBytes(ETHER_TYPE))
                {
                    assertThat(bytes.get(JAVA_INT_UNALIGNED, 14)).isEqualTo(received);
                    received++;
                }
            }
            if (n > 0)
            {
                port.release(burst);
            }
        }
        uplink.flush();
        assertThat(received).isEqualTo(FRAMES);
        assertThat(uplink.drops(UplinkCounters.Drop.KERNEL_RX_DROPPED)).isZero();
    }

    @Test
    void shouldGoOnReceivingAfterTheFillRingRanDry() throws Exception
    {
        setUp();
        final AfXdpPort port = opened.port();
        final FrameBurst burst = new FrameBurst(BATCH);
        // four rings' worth before the port reads anything: the kernel drops what finds no chunk
        for (int sent = 0; sent < 4 * RING; sent += BATCH)
        {
            send(sender, BATCH, sent);
        }
        final int first = drain(port, burst);
        send(sender, BATCH, 1_000_000);
        final int second = drain(port, burst);
        uplink.flush();
        System.out.printf("af_xdp port: %d frames before the ring ran dry, %d after; kernel drops %d%n", first, second,
            uplink.drops(UplinkCounters.Drop.KERNEL_RX_DROPPED));
        assertThat(first).isEqualTo(RING);
        assertThat(second).isEqualTo(BATCH);
    }

    private int drain(final AfXdpPort port, final FrameBurst burst)
    {
        int received = 0;
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
        while (System.nanoTime() < deadline)
        {
            burst.clear();
            final int n = port.receive(burst);
            received += n;
            if (n > 0)
            {
                port.release(burst);
            }
        }
        return received;
    }

    private void setUp() throws IOException, InterruptedException
    {
        run("ip", "link", "del", a);
        assertThat(run("ip", "link", "add", a, "type", "veth", "peer", "name", b)).isEmpty();
        for (final String end : new String[] {a, b})
        {
            run("sysctl", "-qw", "net.ipv6.conf." + end + ".disable_ipv6=1");
            assertThat(run("ip", "link", "set", end, "up")).isEmpty();
        }
        opened = AfXdpUplinkDevice.openPort(new AfXdpUplinkConfig("ax0", a, 0, "vs0", AfXdpUplinkConfig.Mode.COPY,
            AfXdpUplinkConfig.Attach.AUTO, RING, RING, FRAME_SIZE), null, uplink, new ErrorLog(counters));
        sender = XdpSocket.open(NetInterfaces.index(b), 0, BATCH, FRAME_SIZE, BATCH, BATCH, SockaddrXdp.XDP_COPY);

    }

    /** {@code count} numbered frames from the sender's chunks, sent and completed. @return count */
    private static int send(final XdpSocket socket, final int count, final int first)
    {
        final MemorySegment umem = socket.umem();
        final XdpRing tx = socket.tx();
        for (int i = 0; i < count; i++)
        {
            final long at = (long)i * FRAME_SIZE;
            umem.asSlice(at, 60).fill((byte)0);
            umem.asSlice(at, 6).fill((byte)0xff);
            umem.set(JAVA_BYTE, at + 6, (byte)0x02);
            umem.set(JAVA_SHORT_UNALIGNED, at + 12, Short.reverseBytes(ETHER_TYPE));
            umem.set(JAVA_INT_UNALIGNED, at + 14, first + i);
            tx.putDesc(i, at, 60);
        }
        tx.submit(count);
        while (tx.outstanding() > 0)
        {
            socket.kick();
        }
        final XdpRing completion = socket.completion();
        int done = 0;
        while (done < count)
        {
            final int n = completion.available(count - done);
            completion.release(n);
            done += n;
        }
        return count;
    }

    private static String run(final String... command) throws IOException, InterruptedException
    {
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        process.waitFor(10, TimeUnit.SECONDS);
        return process.exitValue() == 0 ? output : "exit " + process.exitValue() + ": " + output;
    }
}
