package io.vplane.blockstore.nbd;

import com.code_intelligence.jazzer.api.BugDetectors;
import com.code_intelligence.jazzer.api.SilentCloseable;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.vplane.blockstore.device.NbdFixture;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * A hostile client's bytes, handshake and requests alike, into a running NBD server (the daemon's
 * own pipeline and blk workers over a loopback socket). The client sends the input, then shuts its
 * side; the server must answer within {@value #ANSWER_MS} ms and close, with replies the protocol
 * allows ({@link NbdReplyChecker}), and must let go of the connection afterwards.
 * One server serves every input; its disk is small so that READs and WRITEs in range stay cheap.
 */
class NbdConnectionFuzzTest
{
    private static final String LOOPBACK = "127.0.0.1";
    private static final long DISK_BYTES = 64 * 1024;
    private static final int ANSWER_MS = 10_000;
    private static final long CLOSE_WAIT_NS = 5_000_000_000L;
    private static final NbdFixture SERVER = startServer();

    @FuzzTest(maxDuration = "30s")
    void shouldAnswerEveryClientWithinProtocolAndLetItGo(final byte[] input) throws IOException
    {
        // Jazzer's request-forgery detector: connecting to the server under test is the point here
        final SilentCloseable serverReachable = BugDetectors.allowNetworkConnections((host, port) -> port == SERVER.port());
        final byte[] replies;
        try
        {
            replies = exchange(input);
        }
        finally
        {
            serverReachable.close();
        }
        new NbdReplyChecker(input, replies, DISK_BYTES).check();
        awaitNoOpenConnection();
    }

    /** Sends the input, shuts the client's side and returns everything the server sent until it closed. */
    private static byte[] exchange(final byte[] input) throws IOException
    {
        try (Socket socket = new Socket(LOOPBACK, SERVER.port()))
        {
            socket.setSoTimeout(ANSWER_MS);
            socket.setTcpNoDelay(true);
            socket.getOutputStream().write(input);
            socket.shutdownOutput();
            return readUntilClosed(socket.getInputStream());
        }
    }

    private static byte[] readUntilClosed(final InputStream in) throws IOException
    {
        final ByteArrayOutputStream received = new ByteArrayOutputStream();
        final byte[] chunk = new byte[64 * 1024];
        try
        {
            for (int n; (n = in.read(chunk)) >= 0; )
            {
                received.write(chunk, 0, n);
            }
        }
        catch (final SocketTimeoutException ex)
        {
            fail("the server neither answered nor closed within %d ms (%d bytes so far)", ANSWER_MS, received.size());
        }
        catch (final IOException ex)
        {
            // a reset after the server closed with unread client bytes: what came before it counts
        }
        return received.toByteArray();
    }

    /** The server closes its side before it runs channelInactive: wait for the gauge, bounded. */
    private static void awaitNoOpenConnection()
    {
        final long deadline = System.nanoTime() + CLOSE_WAIT_NS;
        while (SERVER.counterExactly("vplane_nbd_connections_open") != 0)
        {
            if (System.nanoTime() - deadline > 0)
            {
                assertThat(SERVER.counterExactly("vplane_nbd_connections_open")).as("connections still open").isZero();
            }
            Thread.onSpinWait();
        }
    }

    private static void deleteTree(final Path dir)
    {
        try (Stream<Path> paths = Files.walk(dir))
        {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
        catch (final IOException ex)
        {
            // a leftover temporary directory is no reason to fail the run
        }
    }

    private static NbdFixture startServer()
    {
        try
        {
            final Path runDir = Files.createTempDirectory("nbd-fuzz");
            final NbdFixture fixture = NbdFixture.oneDisk(runDir, "d0", DISK_BYTES);
            Runtime.getRuntime().addShutdownHook(new Thread(() ->
            {
                fixture.close();
                deleteTree(runDir);
            }));
            return fixture;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
