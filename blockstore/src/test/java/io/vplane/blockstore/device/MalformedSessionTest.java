package io.vplane.blockstore.device;

import io.vplane.blockstore.nbd.NbdProtocol;
import io.vplane.blockstore.nbd.NbdTestClient;
import io.vplane.blockstore.nbd.NbdTestClient.OptionReply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Malformed sessions, hand-made and mutated at random: each gets the reply the spec prescribes or a
 * closed connection, and a well-behaved client on the same disk never notices.
 */
@Timeout(120)
class MalformedSessionTest
{
    private static final long SIZE = 1L << 20;

    @TempDir
    Path runDir;
    private NbdFixture fixture;
    private NbdTestClient good;
    private long goodCookie;

    @BeforeEach
    void start() throws IOException
    {
        fixture = NbdFixture.oneDisk(runDir, "d0", SIZE);
        good = NbdTestClient.open(fixture.port(), "d0", true);
    }

    @AfterEach
    void stop() throws IOException
    {
        good.close();
        fixture.close();
    }

    @Test
    void shouldCloseOnUnknownClientFlags() throws IOException
    {
        try (NbdTestClient client = new NbdTestClient(fixture.port()))
        {
            client.readGreeting();
            client.out.writeInt(0xFFFF_FFFF);

            assertThat(client.isClosedByServer()).isTrue();
        }
        assertGoodClientUnaffected();
    }

    @Test
    void shouldCloseOnGarbageInsteadOfAnOption() throws IOException
    {
        try (NbdTestClient client = NbdTestClient.handshake(fixture.port()))
        {
            client.out.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));

            assertThat(client.isClosedByServer()).isTrue();
        }
        assertGoodClientUnaffected();
    }

    @Test
    void shouldRejectOptionDataThatRunsPastTheFrameAndParseTheNextOption() throws IOException
    {
        try (NbdTestClient client = NbdTestClient.handshake(fixture.port()))
        {
            client.option(NbdProtocol.OPT_GO, ByteBuffer.allocate(8).putInt(1000).putShort((short)0).putShort((short)0).array());
            final OptionReply pastFrame = client.readOptionReply();
            client.option(NbdProtocol.OPT_INFO, ByteBuffer.allocate(8).putInt(0).putShort((short)5).array());
            final OptionReply badCount = client.readOptionReply();
            client.option(NbdProtocol.OPT_SET_META_CONTEXT, NbdTestClient.metaContextData("d0", "base:allocation"));
            final OptionReply setBeforeStructured = client.readOptionReply();
            client.option(NbdProtocol.OPT_LIST, new byte[]{1});
            final OptionReply listWithData = client.readOptionReply();

            assertThat(pastFrame.type()).isEqualTo(NbdProtocol.REP_ERR_INVALID);
            assertThat(badCount.type()).isEqualTo(NbdProtocol.REP_ERR_INVALID);
            assertThat(setBeforeStructured.type()).isEqualTo(NbdProtocol.REP_ERR_INVALID);
            assertThat(listWithData.type()).isEqualTo(NbdProtocol.REP_ERR_INVALID);
            assertThat(client.go("d0").getLast().type()).isEqualTo(NbdProtocol.REP_ACK);
        }
    }

    @Test
    void shouldSkipAnOversizedOptionWithTooBigAndStayInSync() throws IOException
    {
        try (NbdTestClient client = NbdTestClient.handshake(fixture.port()))
        {
            client.option(NbdProtocol.OPT_INFO, new byte[1 << 20]);
            final OptionReply tooBig = client.readOptionReply();

            assertThat(tooBig.type()).isEqualTo(NbdProtocol.REP_ERR_TOO_BIG);
            assertThat(client.go("d0").getLast().type()).isEqualTo(NbdProtocol.REP_ACK);
        }
        assertThat(fixture.counter("vplane_errors_total{component=\"nbd\",error=\"option-too-big\"")).isEqualTo(1);
    }

    @Test
    void shouldRejectTooLongAndNonUtf8ExportNames() throws IOException
    {
        try (NbdTestClient client = NbdTestClient.handshake(fixture.port()))
        {
            final OptionReply tooLong = client.infoOrGo(NbdProtocol.OPT_GO, "x".repeat(5000)).getLast();
            final byte[] bad = {(byte)0xC3, (byte)0x28};
            client.option(NbdProtocol.OPT_GO,
                ByteBuffer.allocate(4 + bad.length + 2).putInt(bad.length).put(bad).putShort((short)0).array());
            final OptionReply notUtf8 = client.readOptionReply();

            assertThat(tooLong.type()).isEqualTo(NbdProtocol.REP_ERR_TOO_BIG);
            assertThat(notUtf8.type()).isEqualTo(NbdProtocol.REP_ERR_INVALID);
        }
        try (NbdTestClient client = NbdTestClient.handshake(fixture.port()))
        {
            client.option(NbdProtocol.OPT_EXPORT_NAME, new byte[]{(byte)0xFF, (byte)0xFE});

            assertThat(client.isClosedByServer()).as("EXPORT_NAME has no error reply").isTrue();
        }
        assertGoodClientUnaffected();
    }

    @Test
    void shouldAnswerStructuredReadErrorsWithErrorChunks() throws IOException
    {
        good.request(0, NbdProtocol.CMD_READ, 77, 0, (32 << 20) + 1, null);
        final NbdTestClient.Chunk tooLong = good.readChunk();
        good.request(0, NbdProtocol.CMD_READ, 78, SIZE, 1, null);
        final NbdTestClient.Chunk pastEnd = good.readChunk();

        assertThat(tooLong.type()).isEqualTo(NbdProtocol.REPLY_TYPE_ERROR);
        assertThat(tooLong.error()).isEqualTo(NbdProtocol.EOVERFLOW);
        assertThat(tooLong.done()).isTrue();
        assertThat(pastEnd.error()).isEqualTo(NbdProtocol.EINVAL);
        assertGoodClientUnaffected();
    }

    @Test
    void shouldCloseOnAWriteLongerThan32MiB() throws IOException
    {
        try (NbdTestClient client = NbdTestClient.open(fixture.port(), "d0", false))
        {
            client.request(0, NbdProtocol.CMD_WRITE, 1, 0, (32 << 20) + 1, null);

            assertThat(client.isClosedByServer()).isTrue();
        }
        assertGoodClientUnaffected();
    }

    @Test
    void shouldLoseNothingAcknowledgedWhenAClientDisconnectsMidWrite() throws Exception
    {
        final byte[] acknowledged = new byte[4096];
        Arrays.fill(acknowledged, (byte)7);
        try (NbdTestClient client = NbdTestClient.open(fixture.port(), "d0", false))
        {
            assertThat(client.write(1, 8192, acknowledged, 0)).isZero();
            client.request(0, NbdProtocol.CMD_WRITE, 2, 8192, 4096, new byte[1000]);
        }
        TimeUnit.MILLISECONDS.sleep(100);

        assertThat(good.readStructured(goodCookie++, 8192, 4096)).isEqualTo(acknowledged);
        assertGoodClientUnaffected();
    }

    @Test
    void shouldSurviveRandomlyMutatedSessions() throws Exception
    {
        final byte[] valid = validSession();
        final Random random = new Random(20261123);
        for (int round = 0; round < 120; round++)
        {
            final byte[] mutated = valid.clone();
            final int flips = 1 + random.nextInt(6);
            for (int i = 0; i < flips; i++)
            {
                mutated[random.nextInt(mutated.length)] = (byte)random.nextInt(256);
            }
            final int cut = random.nextInt(10) == 0 ? random.nextInt(mutated.length) : mutated.length;
            playAndDrain(Arrays.copyOf(mutated, cut));
            if (round % 10 == 0)
            {
                assertGoodClientUnaffected();
            }
        }
        for (int round = 0; round < 50; round++)
        {
            final byte[] garbage = new byte[1 + random.nextInt(512)];
            random.nextBytes(garbage);
            playAndDrain(garbage);
        }
        assertGoodClientUnaffected();
        awaitOpenConnections(1);
    }

    @Test
    void shouldCountOpenConnectionsExactlyWhenBothEventLoopsOpenAndCloseAtOnce() throws Exception
    {
        // Connections land on both event loops of the server at the same moments: a counter that
        // is not updated atomically loses some of these and ends off by one or more.
        final int threads = 8;
        final ExecutorService clients = Executors.newFixedThreadPool(threads);
        try
        {
            final List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++)
            {
                done.add(clients.submit(() ->
                {
                    for (int i = 0; i < 40; i++)
                    {
                        try (Socket socket = new Socket("127.0.0.1", fixture.port()))
                        {
                            socket.setSoTimeout(10_000);
                            socket.getInputStream().readNBytes(18);
                        }
                    }
                    return null;
                }));
            }
            for (final Future<?> client : done)
            {
                client.get(60, TimeUnit.SECONDS);
            }
        }
        finally
        {
            clients.shutdownNow();
        }
        awaitOpenConnections(1);
        assertThat(fixture.counterExactly("vplane_nbd_connections_total")).isEqualTo(1 + 8 * 40);
    }

    /** Client flags, a few options, GO, then requests of every kind, as one byte stream. */
    private static byte[] validSession() throws IOException
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(NbdProtocol.CLIENT_FLAG_FIXED_NEWSTYLE | NbdProtocol.CLIENT_FLAG_NO_ZEROES);
        option(out, NbdProtocol.OPT_STRUCTURED_REPLY, new byte[0]);
        option(out, NbdProtocol.OPT_SET_META_CONTEXT, NbdTestClient.metaContextData("d0", "base:allocation"));
        option(out, NbdProtocol.OPT_LIST, new byte[0]);
        final byte[] name = "d0".getBytes(StandardCharsets.UTF_8);
        option(out, NbdProtocol.OPT_GO, ByteBuffer.allocate(4 + name.length + 4).putInt(name.length).put(name)
            .putShort((short)1).putShort((short)NbdProtocol.INFO_BLOCK_SIZE).array());
        int cookie = 1000;
        for (int type = 0; type <= NbdProtocol.CMD_BLOCK_STATUS; type++)
        {
            if (type == NbdProtocol.CMD_DISC)
            {
                continue;
            }
            // Writes land in the second half of the disk; the good client uses the first.
            final long offset = (SIZE / 2) + 4096L * type;
            out.write(NbdTestClient.frame(0, type, cookie++, offset, 512, type == NbdProtocol.CMD_WRITE ? new byte[512] : null));
        }
        return bytes.toByteArray();
    }

    private static void option(final DataOutputStream out, final int option, final byte[] data) throws IOException
    {
        out.writeLong(NbdProtocol.IHAVEOPT);
        out.writeInt(option);
        out.writeInt(data.length);
        out.write(data);
    }

    /** Sends the bytes after the greeting, then reads whatever comes back until close or a quiet 50 ms. */
    private void playAndDrain(final byte[] session) throws IOException
    {
        try (Socket socket = new Socket("127.0.0.1", fixture.port()))
        {
            socket.setSoTimeout(10_000);
            final InputStream in = socket.getInputStream();
            final OutputStream out = socket.getOutputStream();
            assertThat(in.readNBytes(18)).as("greeting").hasSize(18);
            socket.setSoTimeout(50);
            try
            {
                out.write(session);
                out.flush();
                final byte[] sink = new byte[65536];
                while (in.read(sink) >= 0)
                {
                    // Drain replies until the server closes or goes quiet.
                }
            }
            catch (final SocketTimeoutException | java.net.SocketException ignore)
            {
                // Quiet (waiting for more input) or reset: both fine; we close now.
            }
        }
    }

    private void assertGoodClientUnaffected() throws IOException
    {
        final byte[] data = new byte[4096];
        new Random(goodCookie).nextBytes(data);
        final long cookie = goodCookie++;
        assertThat(good.write(cookie, 0, data, NbdProtocol.CMD_FLAG_FUA)).isZero();
        assertThat(good.readStructured(goodCookie++, 0, data.length)).isEqualTo(data);
    }

    private void awaitOpenConnections(final long expected) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (fixture.counterExactly("vplane_nbd_connections_open") != expected && System.nanoTime() - deadline < 0)
        {
            TimeUnit.MILLISECONDS.sleep(20);
        }
        assertThat(fixture.counterExactly("vplane_nbd_connections_open")).isEqualTo(expected);
    }
}
