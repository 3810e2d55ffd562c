package io.vplane.blockstore.device;

import io.netty.channel.epoll.Epoll;
import io.vplane.blockstore.nbd.NbdConnection;
import io.vplane.blockstore.nbd.NbdProtocol;
import io.vplane.blockstore.nbd.NbdTestClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Large WRITEs whose data a blk worker receives from the socket with splice(2): the data must land
 * exactly as sent however it trickles in, a client that stalls mid-WRITE is finished by the event
 * loop, and one that vanishes mid-WRITE affects nobody else.
 */
@Timeout(60)
class SplicedWriteTest
{
    private static final long SIZE = 32L << 20;
    private static final int LARGE = 1 << 20;

    @TempDir
    Path runDir;
    private NbdFixture fixture;

    @BeforeEach
    void start()
    {
        assumeTrue(Epoll.isAvailable(), "workers splice from epoll sockets only; Netty's native epoll did not load");
        fixture = NbdFixture.oneDisk(runDir, "d0", SIZE);
    }

    @AfterEach
    void stop()
    {
        if (null != fixture)
        {
            fixture.close();
        }
    }

    @Test
    void shouldWritePipelinedLargeWritesExactlyAsSentWhateverPiecesTheyArriveIn() throws Exception
    {
        final Random random = new Random(5);
        final int writes = 12;
        final byte[][] data = new byte[writes][];
        try (NbdTestClient client = NbdTestClient.open(fixture.port(), "d0", false))
        {
            for (int i = 0; i < writes; i++)
            {
                data[i] = new byte[NbdConnection.SOCKET_PAYLOAD_BYTES + random.nextInt(LARGE)];
                random.nextBytes(data[i]);
                client.sendInPieces(NbdTestClient.frame(0, NbdProtocol.CMD_WRITE, i, i * 2L * LARGE, data[i].length, data[i]),
                    random, 100, 300_000, 6);
            }
            for (int i = 0; i < writes; i++)
            {
                assertThat(client.readSimpleReply(i)).isZero();
            }
            for (int i = 0; i < writes; i++)
            {
                assertThat(client.read(100 + i, i * 2L * LARGE, data[i].length)).isEqualTo(data[i]);
            }
        }
        assertThat(fixture.counter("vplane_nbd_spliced_writes_total")).isPositive();
        assertThat(fixture.counter("vplane_nbd_written_bytes_total")).isEqualTo(Arrays.stream(data).mapToLong(d -> d.length).sum());
    }

    @Test
    void shouldAnswerALargeWritePastTheEndOnlyOnceItsDataArrivedAndServeOn() throws Exception
    {
        final byte[] data = new byte[LARGE];
        new Random(9).nextBytes(data);
        try (NbdTestClient client = NbdTestClient.open(fixture.port(), "d0", false))
        {
            assertThat(client.write(1, SIZE - 4096, data, 0)).isEqualTo(NbdProtocol.ENOSPC);
            assertThat(client.write(2, 0, data, 0)).isZero();
            assertThat(client.read(3, 0, data.length)).isEqualTo(data);
        }
        assertThat(fixture.counter("vplane_nbd_spliced_writes_total")).isEqualTo(1);
    }

    @Test
    void shouldLetTheEventLoopFinishAWriteWhoseClientStalledMidWay() throws Exception
    {
        final byte[] data = new byte[LARGE];
        new Random(6).nextBytes(data);
        final byte[] after = new byte[4096];
        Arrays.fill(after, (byte)0x5A);
        try (NbdTestClient client = NbdTestClient.open(fixture.port(), "d0", false))
        {
            client.request(0, NbdProtocol.CMD_WRITE, 1, 4096, data.length, Arrays.copyOf(data, 100_000));
            client.out.flush();
            Thread.sleep(200); // far beyond the worker's wait budget
            client.out.write(data, 100_000, data.length - 100_000);
            client.out.flush();
            assertThat(client.readSimpleReply(1)).isZero();
            assertThat(client.write(2, 4096 + LARGE, after, 0)).isZero();

            assertThat(client.read(3, 4096, data.length)).isEqualTo(data);
            assertThat(client.read(4, 4096 + LARGE, after.length)).isEqualTo(after);
        }
        assertThat(fixture.counter("vplane_nbd_splice_stalls_total")).isEqualTo(1);
        assertThat(fixture.counter("vplane_nbd_written_bytes_total")).isEqualTo(data.length + after.length);
    }

    @Test
    void shouldServeOtherClientsWhenOneVanishesMidWrite() throws Exception
    {
        final byte[] data = new byte[LARGE];
        new Random(8).nextBytes(data);
        try (NbdTestClient other = NbdTestClient.open(fixture.port(), "d0", false))
        {
            for (int round = 0; round < 3; round++)
            {
                try (NbdTestClient vanishing = NbdTestClient.open(fixture.port(), "d0", false))
                {
                    vanishing.request(0, NbdProtocol.CMD_WRITE, 1, 0, data.length, Arrays.copyOf(data, 300_000 * (round + 1) / 2));
                    Thread.sleep(round); // gone while the worker waits, before, or after it stopped waiting
                }
                assertThat(other.write(10 + round, 8L * LARGE, data, NbdProtocol.CMD_FLAG_FUA)).isZero();
                assertThat(other.read(20 + round, 8L * LARGE, data.length)).isEqualTo(data);
            }
        }
        awaitNoOpenConnections();
        assertThat(Files.size(runDir.resolve("d0.img"))).isEqualTo(SIZE);
    }

    private void awaitNoOpenConnections() throws InterruptedException
    {
        final long deadline = System.nanoTime() + 5_000_000_000L;
        while (fixture.counterExactly("vplane_nbd_connections_open") > 0 && System.nanoTime() < deadline)
        {
            Thread.sleep(10);
        }
        assertThat(fixture.counterExactly("vplane_nbd_connections_open")).isZero();
    }
}
