package io.vplane.vsock.device;

import com.code_intelligence.jazzer.junit.FuzzTest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.Stream;

import static io.vplane.vsock.packet.VsockHeader.*;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A hostile guest's tx packets, well-formed as chains but anything as packets, against a device
 * whose host side has a program listening on port 5000 (so streams can open). Whatever they say,
 * the rings keep running and the device still answers: afterwards a REQUEST to a port nobody
 * listens on gets its RST.
 * <pre>
 *   input: packets, each 0..1 length (LE u16, taken modulo 2048) | that many bytes (the packet)
 * </pre>
 */
class VsockPacketFuzzTest
{
    private static final int MAX_PACKETS = 32;

    @FuzzTest(maxDuration = "30s")
    void shouldKeepServingWhateverTheGuestSends(final byte[] input) throws IOException
    {
        final Path dir = Files.createTempDirectory("vsock-fuzz");
        try (VsockGuest guest = new VsockGuest(dir, 2, 64 * 1024);
             ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX))
        {
            listener.bind(UnixDomainSocketAddress.of(guest.uds + "_5000"));
            guest.postRxBuffers(VsockGuest.RX_SLOTS);
            int at = 0;
            for (int i = 0; i < MAX_PACKETS && at + 2 <= input.length; i++)
            {
                final int length = ((input[at] & 0xFF) | (input[at + 1] & 0xFF) << 8) % 2048;
                at += 2;
                final byte[] packet = Arrays.copyOfRange(input, at, Math.min(input.length, at + length));
                at += packet.length;
                guest.sendRaw(packet, packet.length);
                guest.poll();
                guest.receive();
            }
            guest.poll();
            guest.receive();
            assertThat(guest.counters().ringErrors.get()).isZero();
            assertThat(guest.device.needsReset()).isFalse();

            guest.send(OP_REQUEST, 39_999, 6000, 0, 64 * 1024, 0, new byte[0], false);
            final boolean[] answered = new boolean[1];
            guest.pollUntil(() ->
            {
                answered[0] |= guest.receive().stream().anyMatch(p -> p.op() == OP_RST && p.srcPort() == 6000 && p.dstPort() == 39_999);
                return answered[0];
            }, "the device answers a REQUEST after the hostile packets");
        }
        finally
        {
            try (Stream<Path> files = Files.walk(dir))
            {
                files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }
}
