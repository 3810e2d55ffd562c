package io.vplane.blockstore.management;

import io.vplane.blockstore.nbd.NbdProtocol;
import io.vplane.blockstore.nbd.NbdTestClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A connection whose large WRITEs had their data received by the blk worker straight from the
 * socket (the socket lent to the worker, which splices it into the image file) keeps writing
 * after its disk is upgraded to a remote NBD backend, which cannot receive from sockets: its next
 * large WRITE, whose data again arrives after the header, lands on the new backend intact.
 */
@Timeout(60)
class UpgradeWithLentSocketTest
{
    private static final int LARGE = 256 * 1024;
    private static final String DISK = """
          tenants:
            - {name: local, allow: [127.0.0.0/8]}
          disks:
            - {name: base, image: base.img, sizeBytes: 1048576, tenant: local}
        """;

    @TempDir
    Path dir;

    @Test
    void shouldServeALargeSlowWriteAfterAnUpgradeToABackendThatCannotReceiveFromSockets() throws Exception
    {
        try (DaemonFixture target = new DaemonFixture(Files.createDirectory(dir.resolve("target")), DISK);
            DaemonFixture front = new DaemonFixture(Files.createDirectory(dir.resolve("front")), DISK,
                List.of("127.0.0.1:" + target.nbdPort));
            NbdTestClient client = NbdTestClient.open(front.nbdPort, "base", false))
        {
            final byte[] before = pattern(1);
            assertThat(slowWrite(client, 1, 0, before)).isZero();
            assertThat(front.counter("vplane_nbd_spliced_writes_total{disk=\"base\"")).as("the first WRITE was received from the socket")
                .isPositive();

            front.post("/disk/upgrade", "{\"name\":\"base\",\"backend\":\"" + target.uri("base") + "\"}");
            final byte[] after = pattern(2);
            assertThat(slowWrite(client, 2, LARGE, after)).isZero();

            try (NbdTestClient direct = NbdTestClient.open(target.nbdPort, "base", false))
            {
                assertThat(direct.read(3, LARGE, LARGE)).isEqualTo(after);
            }
        }
    }

    /** A WRITE whose header and first 4 KiB go at once and the rest 50 ms later, so the rest is on the socket when the header is read. */
    private static int slowWrite(final NbdTestClient client, final long cookie, final long offset, final byte[] data) throws Exception
    {
        client.request(0, NbdProtocol.CMD_WRITE, cookie, offset, data.length, Arrays.copyOf(data, 4096));
        Thread.sleep(50);
        client.sendInPieces(Arrays.copyOfRange(data, 4096, data.length), new Random(cookie), 65536, 65536, Integer.MAX_VALUE);
        return client.readSimpleReply(cookie);
    }

    private static byte[] pattern(final int seed)
    {
        final byte[] data = new byte[LARGE];
        new Random(seed).nextBytes(data);
        return data;
    }
}
