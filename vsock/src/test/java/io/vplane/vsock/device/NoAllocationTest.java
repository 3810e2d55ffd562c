package io.vplane.vsock.device;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.List;

import static io.vplane.vsock.packet.VsockHeader.*;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A stream's steady state allocates nothing on the worker: guest RW to the host socket, the host's
 * answer into rx buffers, credit updates. This holds with bin/jvm.options, which compiles FileIo's
 * read and write on their own; without that, in about half the runs, each host-socket write (and
 * sometimes read) allocated a 40-byte slice of the errno capture segment, which this test rejects.
 * Measured with the polling thread's allocation counter around the device's polls only (the host
 * echo runs on its own thread; the test's guest driver is outside the measured windows). Windows of
 * {@link #MEASURED} round trips after {@link #WARM_UP}, until one allocated nothing or
 * {@link #WINDOWS} did: an allocation per packet shows in every window, a compilation still under
 * way on a busy machine (the interpreter and C1 allocate inside the FFM calls) only in the first.
 */
@Timeout(60)
class NoAllocationTest
{
    /** Enough round trips for C2 to compile the path, on an idle machine. */
    private static final int WARM_UP = 25_000;
    private static final int MEASURED = 5_000;
    private static final int WINDOWS = 6;

    @TempDir
    Path dir;

    @Test
    void shouldAllocateNothingPerPacketOnAnOpenStream() throws Exception
    {
        final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        try (VsockGuest guest = new VsockGuest(dir, 2, 256 * 1024);
             ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX))
        {
            guest.postRxBuffers(VsockGuest.RX_SLOTS);
            server.bind(UnixDomainSocketAddress.of(guest.uds + "_5000"));
            final Thread echo = Thread.ofPlatform().daemon().start(() -> echo(server));
            guest.send(OP_REQUEST, 40_000, 5000, 0, 256 * 1024, 0, new byte[0], false);
            guest.pollUntil(() -> guest.receive().stream().anyMatch(p -> p.op() == OP_RESPONSE), "the stream opens");

            final byte[] payload = new byte[1024];
            int fwd = 0;
            final long[] allocated = new long[WINDOWS];
            int window = -1;
            int round = 0;
            for (;; round++)
            {
                if (round >= WARM_UP && (round - WARM_UP) % MEASURED == 0)
                {
                    window++;
                    if (window == WINDOWS || window > 0 && allocated[window - 1] == 0)
                    {
                        break;
                    }
                }
                guest.send(OP_RW, 40_000, 5000, 0, 256 * 1024, fwd, payload, true);
                int echoed = 0;
                while (echoed < payload.length)
                {
                    final long before = threads.getCurrentThreadAllocatedBytes();
                    guest.poll();
                    if (window >= 0)
                    {
                        allocated[window] += threads.getCurrentThreadAllocatedBytes() - before;
                    }
                    final List<VsockGuest.Packet> packets = guest.receive();
                    for (final VsockGuest.Packet packet : packets)
                    {
                        if (packet.op() == OP_RW)
                        {
                            echoed += packet.payload().length;
                        }
                    }
                }
                fwd += echoed;
            }
            assertThat(guest.counters().fromGuestBytes.get()).isEqualTo(round * 1024L);
            assertThat(guest.counters().badPackets.get()).isZero();
            assertThat(java.util.Arrays.stream(allocated, 0, window).min().orElseThrow())
                .as("bytes allocated per window of %d round trips: %s", MEASURED, java.util.Arrays.toString(allocated))
                .isZero();
            echo.interrupt();
        }
    }

    private static void echo(final ServerSocketChannel server)
    {
        try (SocketChannel channel = server.accept())
        {
            final ByteBuffer buffer = ByteBuffer.allocateDirect(64 * 1024);
            while (channel.read(buffer.clear()) > 0)
            {
                buffer.flip();
                while (buffer.hasRemaining())
                {
                    channel.write(buffer);
                }
            }
        }
        catch (final IOException ignore)
        {
            // the test ended
        }
    }
}
