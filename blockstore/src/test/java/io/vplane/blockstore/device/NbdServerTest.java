package io.vplane.blockstore.device;

import io.vplane.blockstore.nbd.NbdProtocol;
import io.vplane.blockstore.nbd.NbdTestClient;
import io.vplane.blockstore.nbd.NbdTestClient.Chunk;
import io.vplane.blockstore.nbd.NbdTestClient.OptionReply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(60)
class NbdServerTest
{
    private static final long SIZE = 4L << 20;

    @TempDir
    Path runDir;
    private NbdFixture fixture;

    @BeforeEach
    void start()
    {
        fixture = new NbdFixture(runDir, """
              tenants:
                - name: local
                  allow: [127.0.0.0/8]
                - name: remote
                  allow: [10.0.0.0/8]
              disks:
                - {name: d0, image: d0.img, sizeBytes: %d, tenant: local, queues: 2, description: first disk}
                - {name: ro, image: ro.img, sizeBytes: 1048576, tenant: local, readOnly: true}
                - {name: hidden, image: hidden.img, sizeBytes: 1048576, tenant: remote}
                - {name: al, image: al.img, sizeBytes: 1048576, tenant: local, minBlockBytes: 512}
            """.formatted(SIZE));
    }

    @AfterEach
    void stop()
    {
        fixture.close();
    }

    @Test
    void shouldAnswerGoWithExportInfoBlockSizeAndMultiConn() throws Exception
    {
        try (NbdTestClient client = NbdTestClient.handshake(fixture.port()))
        {
            final List<OptionReply> replies = client.go("d0");

            assertThat(replies.getLast().type()).isEqualTo(NbdProtocol.REP_ACK);
            assertThat(client.exportSize).isEqualTo(SIZE);
            assertThat(client.transmissionFlags & NbdProtocol.TFLAG_CAN_MULTI_CONN).isNotZero();
            assertThat(client.transmissionFlags & NbdProtocol.TFLAG_READ_ONLY).isZero();
            assertThat(replies).filteredOn(r -> r.type() == NbdProtocol.REP_INFO).extracting(r -> ByteBuffer.wrap(r.data()).getShort() & 0xFFFF)
                .startsWith(NbdProtocol.INFO_EXPORT)
                .contains(NbdProtocol.INFO_NAME, NbdProtocol.INFO_DESCRIPTION, NbdProtocol.INFO_BLOCK_SIZE);
            assertThat(replies).anySatisfy(r -> assertThat(new String(r.data(), StandardCharsets.UTF_8)).endsWith("first disk"));
        }
    }

    @Test
    void shouldReadBackWhatWasWrittenWithSimpleReplies() throws Exception
    {
        try (NbdTestClient client = NbdTestClient.open(fixture.port(), "d0", false))
        {
            final byte[] data = new byte[8192];
            new Random(7).nextBytes(data);

            assertThat(client.write(1, 4096, data, NbdProtocol.CMD_FLAG_FUA)).isZero();
            assertThat(client.read(2, 4096, data.length)).isEqualTo(data);
            assertThat(client.read(3, 0, 4096)).isEqualTo(new byte[4096]);
        }
        assertThat(fixture.counter("vplane_nbd_written_bytes_total")).isEqualTo(8192);
    }

    @Test
    void shouldRecordOneLatencyBucketPerExecutedRequestAndExposeAHistogram() throws Exception
    {
        try (NbdTestClient client = NbdTestClient.open(fixture.port(), "d0", false))
        {
            for (int i = 0; i < 10; i++)
            {
                assertThat(client.write(i, 4096L * i, new byte[4096], 0)).isZero();
            }
            assertThat(client.read(99, 0, 512)).hasSize(512);
        }

        assertThat(fixture.counter("vplane_nbd_request_latency_us_bucket{disk=\"d0\"")).isEqualTo(11);
        assertThat(fixture.counter("vplane_nbd_requests_total{disk=\"d0\"")).isEqualTo(11);
        assertThat(io.vplane.engine.counters.PrometheusExposition.text(fixture.counters.reader()))
            .contains("# TYPE vplane_nbd_request_latency_us histogram")
            .contains("vplane_nbd_request_latency_us_count{disk=\"d0\",tenant=\"local\"} 11")
            .contains("vplane_nbd_request_latency_us_bucket{disk=\"d0\",tenant=\"local\",le=\"+Inf\"} 11");
    }

    @Test
    void shouldKeepPipelinedWritesIntactWhenFramesAreSplitAcrossReadsAtAnyByte() throws Exception
    {
        final int writes = 48;
        final Random random = new Random(11);
        final byte[][] data = new byte[writes][];
        final java.io.ByteArrayOutputStream stream = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < writes; i++)
        {
            // Sizes from one byte to 70 KiB: headers and payloads land on every kind of boundary.
            data[i] = new byte[1 + random.nextInt(i % 3 == 0 ? 70_000 : 5_000)];
            random.nextBytes(data[i]);
            stream.write(NbdTestClient.frame(0, NbdProtocol.CMD_WRITE, 100 + i, i * 80_000L, data[i].length, data[i]));
        }
        final byte[] all = stream.toByteArray();
        try (NbdTestClient client = NbdTestClient.open(fixture.port(), "d0", false))
        {
            client.sendInPieces(all, random, 40, 9_000, 8);
            final java.util.Set<Long> acknowledged = new java.util.HashSet<>();
            for (int i = 0; i < writes; i++)
            {
                assertThat(client.in.readInt()).isEqualTo(NbdProtocol.SIMPLE_REPLY_MAGIC);
                assertThat(client.in.readInt()).isZero();
                acknowledged.add(client.in.readLong());
            }
            assertThat(acknowledged).hasSize(writes).allMatch(cookie -> cookie >= 100 && cookie < 100 + writes);

            for (int i = 0; i < writes; i++)
            {
                assertThat(client.read(1_000 + i, i * 80_000L, data[i].length)).as("write %d", i).isEqualTo(data[i]);
            }
        }
    }

    @Test
    void shouldShowWritesOfOneConnectionToAnotherAfterFlushWithMultiConn() throws Exception
    {
        try (NbdTestClient first = NbdTestClient.open(fixture.port(), "d0", false);
             NbdTestClient second = NbdTestClient.open(fixture.port(), "d0", true))
        {
            final byte[] data = new byte[65536];
            new Random(3).nextBytes(data);
            assertThat(first.write(1, 12288, data, 0)).isZero();
            second.request(0, NbdProtocol.CMD_FLUSH, 2, 0, 0, null);
            assertThat(second.readSimpleReply(2)).isZero();

            assertThat(second.readStructured(3, 12288, data.length)).isEqualTo(data);
        }
    }

    @Test
    void shouldReplyUnsupToUnknownOptionAndStillParseTheNextOne() throws Exception
    {
        try (NbdTestClient client = NbdTestClient.handshake(fixture.port()))
        {
            client.option(4711, new byte[]{1, 2, 3});
            final OptionReply unsupported = client.readOptionReply();
            client.option(NbdProtocol.OPT_STARTTLS, new byte[0]);
            final OptionReply tls = client.readOptionReply();
            final List<OptionReply> go = client.go("d0");

            assertThat(unsupported.option()).isEqualTo(4711);
            assertThat(unsupported.type()).isEqualTo(NbdProtocol.REP_ERR_UNSUP);
            assertThat(tls.type()).isEqualTo(NbdProtocol.REP_ERR_UNSUP);
            assertThat(go.getLast().type()).isEqualTo(NbdProtocol.REP_ACK);
        }
    }

    @Test
    void shouldListOnlyExportsTheClientMaySeeAndRefuseHiddenOnesLikeMissingOnes() throws Exception
    {
        try (NbdTestClient client = NbdTestClient.handshake(fixture.port()))
        {
            client.option(NbdProtocol.OPT_LIST, new byte[0]);
            final List<OptionReply> list = client.readUntilAck();
            final OptionReply hidden = client.infoOrGo(NbdProtocol.OPT_INFO, "hidden").getLast();
            final OptionReply missing = client.infoOrGo(NbdProtocol.OPT_INFO, "nosuch").getLast();

            assertThat(list).filteredOn(r -> r.type() == NbdProtocol.REP_SERVER)
                .extracting(r -> new String(r.data(), 4, r.data().length - 4, StandardCharsets.UTF_8))
                .containsExactly("al", "d0", "ro");
            assertThat(hidden.type()).isEqualTo(NbdProtocol.REP_ERR_POLICY);
            assertThat(missing.type()).isEqualTo(NbdProtocol.REP_ERR_POLICY);
            assertThat(hidden.text()).isEqualTo(missing.text());
        }
    }

    @Test
    void shouldCloseWhenExportNameIsRefused() throws Exception
    {
        try (NbdTestClient client = NbdTestClient.handshake(fixture.port()))
        {
            client.option(NbdProtocol.OPT_EXPORT_NAME, "hidden".getBytes(StandardCharsets.UTF_8));

            assertThat(client.isClosedByServer()).isTrue();
        }
    }

    @Test
    void shouldServeAfterExportName() throws Exception
    {
        try (NbdTestClient client = NbdTestClient.handshake(fixture.port()))
        {
            client.option(NbdProtocol.OPT_EXPORT_NAME, "d0".getBytes(StandardCharsets.UTF_8));
            assertThat(client.in.readLong()).isEqualTo(SIZE);
            final int flags = client.in.readUnsignedShort();

            assertThat(flags & NbdProtocol.TFLAG_HAS_FLAGS).isNotZero();
            assertThat(client.write(9, 0, new byte[]{1, 2, 3}, 0)).isZero();
            assertThat(client.read(10, 0, 3)).containsExactly(1, 2, 3);
        }
    }

    @Test
    void shouldReplyWithTheErrorsTheSpecPrescribes() throws Exception
    {
        try (NbdTestClient client = NbdTestClient.open(fixture.port(), "d0", false);
             NbdTestClient readOnly = NbdTestClient.open(fixture.port(), "ro", false))
        {
            client.request(0, NbdProtocol.CMD_READ, 1, SIZE - 512, 1024, null);
            assertThat(client.readSimpleReply(1)).isEqualTo(NbdProtocol.EINVAL);
            assertThat(client.write(2, SIZE - 1, new byte[2], 0)).isEqualTo(NbdProtocol.ENOSPC);
            client.request(0, NbdProtocol.CMD_WRITE_ZEROES, 3, SIZE, 1, null);
            assertThat(client.readSimpleReply(3)).isEqualTo(NbdProtocol.ENOSPC);
            client.request(0, NbdProtocol.CMD_TRIM, 4, SIZE, 1, null);
            assertThat(client.readSimpleReply(4)).isEqualTo(NbdProtocol.EINVAL);
            client.request(0, 99, 5, 0, 1, null);
            assertThat(client.readSimpleReply(5)).isEqualTo(NbdProtocol.EINVAL);
            client.request(1 << 9, NbdProtocol.CMD_READ, 6, 0, 1, null);
            assertThat(client.readSimpleReply(6)).isEqualTo(NbdProtocol.EINVAL);
            client.request(0, NbdProtocol.CMD_READ, 7, 0, 0, null);
            assertThat(client.readSimpleReply(7)).isEqualTo(NbdProtocol.EINVAL);
            client.request(0, NbdProtocol.CMD_BLOCK_STATUS, 8, 0, 512, null);
            assertThat(client.readSimpleReply(8)).as("no meta context negotiated").isEqualTo(NbdProtocol.EINVAL);
            client.request(0, NbdProtocol.CMD_READ, 11, -1L, 1, null);
            assertThat(client.readSimpleReply(11)).isEqualTo(NbdProtocol.EINVAL);

            assertThat(readOnly.write(9, 0, new byte[512], 0)).isEqualTo(NbdProtocol.EPERM);
            readOnly.request(0, NbdProtocol.CMD_TRIM, 10, 0, 512, null);
            assertThat(readOnly.readSimpleReply(10)).isEqualTo(NbdProtocol.EPERM);

            // Still in sync after every error.
            assertThat(client.read(12, 0, 16)).hasSize(16);
        }
        assertThat(fixture.counter("vplane_nbd_request_errors_total{disk=\"d0\",tenant=\"local\",error=\"EINVAL\"}"))
            .isEqualTo(7);
        assertThat(fixture.counter("vplane_nbd_request_errors_total{disk=\"d0\",tenant=\"local\",error=\"ENOSPC\"}"))
            .isEqualTo(2);
        assertThat(fixture.counter("vplane_nbd_request_errors_total{disk=\"ro\",tenant=\"local\",error=\"EPERM\"}"))
            .isEqualTo(2);
    }

    @Test
    void shouldReportHolesInStructuredReadsAndBlockStatus() throws Exception
    {
        try (NbdTestClient client = NbdTestClient.open(fixture.port(), "d0", true))
        {
            final byte[] data = new byte[65536];
            Arrays.fill(data, (byte)0x5A);
            assertThat(client.write(1, 1 << 20, data, 0)).isZero();

            client.request(0, NbdProtocol.CMD_READ, 2, 0, 65536, null);
            final Chunk hole = client.readChunk();
            client.request(0, NbdProtocol.CMD_READ, 3, 1 << 20, 65536, null);
            final Chunk dataChunk = client.readChunk();
            client.request(NbdProtocol.CMD_FLAG_REQ_ONE, NbdProtocol.CMD_BLOCK_STATUS, 4, 0, 1 << 20, null);
            final Chunk holeStatus = client.readChunk();
            client.request(0, NbdProtocol.CMD_BLOCK_STATUS, 5, 1 << 20, 1 << 20, null);
            final Chunk mixedStatus = client.readChunk();

            assertThat(hole.type()).isEqualTo(NbdProtocol.REPLY_TYPE_OFFSET_HOLE);
            assertThat(hole.done()).isTrue();
            assertThat(ByteBuffer.wrap(hole.payload()).getLong(0)).isZero();
            assertThat(ByteBuffer.wrap(hole.payload()).getInt(8)).isEqualTo(65536);
            assertThat(dataChunk.type()).isEqualTo(NbdProtocol.REPLY_TYPE_OFFSET_DATA);
            assertThat(dataChunk.done()).isTrue();
            assertThat(Arrays.copyOfRange(dataChunk.payload(), 8, 8 + 65536)).isEqualTo(data);

            final ByteBuffer one = ByteBuffer.wrap(holeStatus.payload());
            assertThat(holeStatus.type()).isEqualTo(NbdProtocol.REPLY_TYPE_BLOCK_STATUS);
            assertThat(one.getInt()).isEqualTo(NbdProtocol.BASE_ALLOCATION_ID);
            assertThat(one.getInt()).isEqualTo(1 << 20);
            assertThat(one.getInt()).isEqualTo(NbdProtocol.STATE_HOLE | NbdProtocol.STATE_ZERO);
            assertThat(one.hasRemaining()).isFalse();

            final ByteBuffer mixed = ByteBuffer.wrap(mixedStatus.payload());
            mixed.getInt();
            assertThat(mixed.getInt()).isGreaterThanOrEqualTo(65536);
            assertThat(mixed.getInt()).isZero();
        }
    }

    /** Large READs send the mapped image: data and holes must come out exactly as with small ones. */
    @Test
    void shouldServeLargeReadsOfDataAndHolesFromTheMappedImageWithEitherReplyKind() throws Exception
    {
        final int length = 1 << 20;
        final byte[] expected = new byte[length];
        final Random random = new Random(11);
        try (NbdTestClient client = NbdTestClient.open(fixture.port(), "d0", true))
        {
            // Data runs separated by holes, at 1 MiB: 64 KiB at +0, 100000 bytes at +200 KiB, 8 KiB at the end.
            final int[][] runs = {{0, 65536}, {200 * 1024, 100_000}, {length - 8192, 8192}};
            for (final int[] run : runs)
            {
                final byte[] data = new byte[run[1]];
                random.nextBytes(data);
                System.arraycopy(data, 0, expected, run[0], data.length);
                assertThat(client.write(run[0], (1 << 20) + run[0], data, 0)).isZero();
            }

            assertThat(client.readStructured(10, 1 << 20, length)).isEqualTo(expected);
            assertThat(client.readStructured(11, (1 << 20) + 100, 70_000))
                .isEqualTo(Arrays.copyOfRange(expected, 100, 70_100));
            client.request(NbdProtocol.CMD_FLAG_DF, NbdProtocol.CMD_READ, 12, 1 << 20, length, null);
            final Chunk whole = client.readChunk();
            assertThat(whole.type()).isEqualTo(NbdProtocol.REPLY_TYPE_OFFSET_DATA);
            assertThat(whole.done()).isTrue();
            assertThat(Arrays.copyOfRange(whole.payload(), 8, 8 + length)).isEqualTo(expected);
        }
        try (NbdTestClient client = NbdTestClient.open(fixture.port(), "d0", false))
        {
            assertThat(client.read(13, 1 << 20, length)).isEqualTo(expected);
            assertThat(client.read(14, 0, 100_000)).isEqualTo(new byte[100_000]);
        }
    }

    @Test
    void shouldReadZerosAfterWriteZeroesAndTrim() throws Exception
    {
        try (NbdTestClient client = NbdTestClient.open(fixture.port(), "d0", false))
        {
            final byte[] ones = new byte[16384];
            Arrays.fill(ones, (byte)1);
            client.write(1, 0, ones, 0);
            client.write(2, 65536, ones, 0);

            client.request(NbdProtocol.CMD_FLAG_NO_HOLE, NbdProtocol.CMD_WRITE_ZEROES, 3, 0, 16384, null);
            assertThat(client.readSimpleReply(3)).isZero();
            client.request(NbdProtocol.CMD_FLAG_FUA, NbdProtocol.CMD_WRITE_ZEROES, 4, 65536, 4096, null);
            assertThat(client.readSimpleReply(4)).isZero();
            client.request(0, NbdProtocol.CMD_FLUSH, 5, 0, 0, null);
            assertThat(client.readSimpleReply(5)).isZero();

            assertThat(client.read(6, 0, 16384)).isEqualTo(new byte[16384]);
            assertThat(client.read(7, 65536, 4096)).isEqualTo(new byte[4096]);
            assertThat(client.read(8, 65536 + 4096, 4096)).containsOnly(1);
        }
    }

    @Test
    void shouldRefuseMisalignedRequestsOnlyFromClientsThatAskedForBlockSizes() throws Exception
    {
        try (NbdTestClient asked = NbdTestClient.open(fixture.port(), "al", false);
             NbdTestClient legacy = NbdTestClient.handshake(fixture.port()))
        {
            legacy.option(NbdProtocol.OPT_EXPORT_NAME, "al".getBytes(StandardCharsets.UTF_8));
            legacy.in.readLong();
            legacy.in.readUnsignedShort();

            asked.request(0, NbdProtocol.CMD_READ, 1, 100, 512, null);
            assertThat(asked.readSimpleReply(1)).isEqualTo(NbdProtocol.EINVAL);
            assertThat(asked.write(2, 512, new byte[100], 0)).isEqualTo(NbdProtocol.EINVAL);
            assertThat(asked.read(3, 512, 512)).hasSize(512);
            assertThat(legacy.read(4, 100, 7)).hasSize(7);
        }
    }

    @Test
    void shouldZeroRangesLongerThan2GiB() throws Exception
    {
        final long big = 3L << 30;
        try (NbdFixture large = NbdFixture.oneDisk(runDir.resolve("large"), "big", big);
             NbdTestClient client = NbdTestClient.open(large.port(), "big", false))
        {
            final long at = (5L << 29) + 4096;
            assertThat(client.write(1, at, new byte[]{9, 9, 9, 9}, 0)).isZero();

            client.request(0, NbdProtocol.CMD_WRITE_ZEROES, 2, 0, (int)big, null);
            assertThat(client.readSimpleReply(2)).isZero();

            assertThat(client.read(3, at, 4)).containsOnly(0);
        }
    }

    @Test
    void shouldCloseOnlyTheConnectionWithBadMagic() throws Exception
    {
        try (NbdTestClient good = NbdTestClient.open(fixture.port(), "d0", false);
             NbdTestClient bad = NbdTestClient.open(fixture.port(), "d0", false))
        {
            bad.out.writeInt(0xDEADBEEF);
            bad.out.write(new byte[24]);
            bad.out.flush();

            assertThat(bad.isClosedByServer()).isTrue();
            assertThat(good.write(1, 0, new byte[]{42}, 0)).isZero();
            assertThat(good.read(2, 0, 1)).containsExactly(42);
            assertThat(fixture.counter("vplane_nbd_protocol_errors_total")).isEqualTo(1);
        }
    }

    @Test
    void shouldFinishInFlightRequestsThenCloseOnDisc() throws Exception
    {
        try (NbdTestClient client = NbdTestClient.open(fixture.port(), "d0", false))
        {
            client.request(0, NbdProtocol.CMD_WRITE, 1, 0, 4, new byte[]{1, 2, 3, 4});
            client.request(0, NbdProtocol.CMD_DISC, 2, 0, 0, null);

            assertThat(client.readSimpleReply(1)).isZero();
            assertThat(client.isClosedByServer()).isTrue();
        }
    }
}
