package io.vplane.blockstore.backend;

import io.vplane.blockstore.nbd.NbdProtocol;
import io.vplane.blockstore.request.BlockCompletions;
import io.vplane.blockstore.request.BlockError;
import io.vplane.blockstore.request.BlockOp;
import io.vplane.blockstore.request.BlockRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The remote-NBD backend against a server written here: one that answers, and one that takes
 * requests and never replies. A worker submitting to it must never wait for the server.
 */
@Timeout(30)
class NbdClientBackendTest
{
    private static final long SIZE = 1 << 20;
    private static final long TIMEOUT_MS = 300;

    private final ServerSocket listener = new ServerSocket(0);
    private NbdClientBackend backend;

    NbdClientBackendTest() throws IOException
    {
    }

    @AfterEach
    void close() throws IOException
    {
        if (null != backend)
        {
            backend.close();
        }
        listener.close();
    }

    @Test
    void shouldFailARequestTheServerNeverAnswersWithinTheTimeoutWithoutHoldingTheWorker() throws Exception
    {
        serve(false);
        // The disk's image setting carries the timeout.
        backend = NbdClientBackend.open("nbd://127.0.0.1:" + listener.getLocalPort() + "/?timeoutMs=" + TIMEOUT_MS);
        final Outcomes outcomes = new Outcomes();
        final BackendChannel channel = backend.openChannel();

        final long start = System.nanoTime();
        final ByteBuffer dst = ByteBuffer.allocateDirect(4096);
        assertThat(channel.submit(request(BlockOp.READ, 0, 4096), new ByteBuffer[] {dst}, outcomes)).isTrue();
        assertThat(channel.submit(request(BlockOp.FLUSH, 0, 0), null, outcomes)).isTrue();
        final long submitMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertThat(submitMs).as("submitting waits for nothing").isLessThan(TIMEOUT_MS);
        assertThat(outcomes.next()).isEqualTo(BlockError.IO);
        assertThat(outcomes.next()).isEqualTo(BlockError.IO);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isGreaterThanOrEqualTo(TIMEOUT_MS);
    }

    @Test
    void shouldCompleteRequestsOnEveryQueuesConnectionWithTheirData() throws Exception
    {
        serve(true);
        backend = NbdClientBackend.open("nbd://127.0.0.1:" + listener.getLocalPort() + "/", TIMEOUT_MS);
        final Outcomes outcomes = new Outcomes();
        backend.openChannel();
        final BackendChannel channel = backend.openChannel(); // a connection of its own (multi-conn)

        final ByteBuffer dst = ByteBuffer.allocateDirect(512);
        assertThat(channel.submit(request(BlockOp.READ, 0, 512), new ByteBuffer[] {dst}, outcomes)).isTrue();
        assertThat(outcomes.next()).isEqualTo(BlockError.NONE);
        assertThat(dst.get(0)).isEqualTo((byte)0x5a);
        assertThat(dst.get(511)).isEqualTo((byte)0x5a);
        assertThat(backend.sizeBytes()).isEqualTo(SIZE);
    }

    @Test
    void shouldRefuseAnImageUriWithAnotherQueryOrAnUnboundedTimeout()
    {
        final String base = "nbd://127.0.0.1:" + listener.getLocalPort() + "/";
        assertThatThrownBy(() -> NbdClientBackend.open(base + "?tls=off")).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> NbdClientBackend.open(base + "?timeoutMs=999999")).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> NbdClientBackend.open(base + "?timeoutMs=0")).isInstanceOf(IOException.class);
    }

    private static BlockRequest request(final BlockOp op, final long offset, final long length)
    {
        return new BlockRequest(null).set(op, 0, 0, offset, length, System.nanoTime());
    }

    /** Accepts clients; each completes NBD_OPT_GO, then gets every request answered (READ data 0x5a) or none. */
    private void serve(final boolean answer)
    {
        Thread.ofVirtual().start(() ->
        {
            try
            {
                while (true)
                {
                    final Socket socket = listener.accept();
                    Thread.ofVirtual().start(() -> session(socket, answer));
                }
            }
            catch (final IOException ex)
            {
                // Closed at the end of the test.
            }
        });
    }

    private static void session(final Socket accepted, final boolean answer)
    {
        {
            try (Socket socket = accepted)
            {
                final DataInputStream in = new DataInputStream(socket.getInputStream());
                final DataOutputStream out = new DataOutputStream(socket.getOutputStream());
                out.writeLong(NbdProtocol.NBDMAGIC);
                out.writeLong(NbdProtocol.IHAVEOPT);
                out.writeShort(NbdProtocol.FLAG_FIXED_NEWSTYLE | NbdProtocol.FLAG_NO_ZEROES);
                in.readInt();
                in.readLong();
                in.readInt();
                in.skipNBytes(in.readInt());
                out.writeLong(NbdProtocol.OPTION_REPLY_MAGIC);
                out.writeInt(NbdProtocol.OPT_GO);
                out.writeInt(NbdProtocol.REP_INFO);
                out.writeInt(12);
                out.writeShort(NbdProtocol.INFO_EXPORT);
                out.writeLong(SIZE);
                out.writeShort(NbdProtocol.TFLAG_HAS_FLAGS | NbdProtocol.TFLAG_SEND_FLUSH | NbdProtocol.TFLAG_CAN_MULTI_CONN);
                out.writeLong(NbdProtocol.OPTION_REPLY_MAGIC);
                out.writeInt(NbdProtocol.OPT_GO);
                out.writeInt(NbdProtocol.REP_ACK);
                out.writeInt(0);
                out.flush();
                while (true)
                {
                    in.readInt();
                    in.readShort();
                    final int type = in.readShort();
                    final long cookie = in.readLong();
                    in.readLong();
                    final int length = in.readInt();
                    if (NbdProtocol.CMD_WRITE == type)
                    {
                        in.skipNBytes(length);
                    }
                    if (answer)
                    {
                        out.writeInt(NbdProtocol.SIMPLE_REPLY_MAGIC);
                        out.writeInt(0);
                        out.writeLong(cookie);
                        if (NbdProtocol.CMD_READ == type)
                        {
                            final byte[] data = new byte[length];
                            java.util.Arrays.fill(data, (byte)0x5a);
                            out.write(data);
                        }
                        out.flush();
                    }
                }
            }
            catch (final IOException ex)
            {
                // The client went away.
            }
        }
    }

    private static final class Outcomes implements BlockCompletions
    {
        private final BlockingQueue<BlockError> errors = new ArrayBlockingQueue<>(16);

        @Override
        public void completed(final BlockRequest request, final BlockError error)
        {
            errors.add(error);
        }

        BlockError next() throws InterruptedException
        {
            final BlockError error = errors.poll(10, TimeUnit.SECONDS);
            assertThat(error).as("completed").isNotNull();
            return error;
        }
    }
}
