package io.vplane.blockstore.device;

import io.vplane.blockstore.nbd.NbdProtocol;
import io.vplane.blockstore.nbd.NbdTestClient;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(60)
class NbdTransportTest
{
    @TempDir
    Path runDir;

    @ParameterizedTest
    @ValueSource(strings = {"epoll", "io_uring", "nio"})
    void shouldServeSmallAndLargeRequestsOnEveryTransport(final String transport) throws Exception
    {
        try (NbdFixture fixture = new NbdFixture(runDir, """
              transport: %s
              tenants:
                - name: local
                  allow: [127.0.0.0/8]
              disks:
                - {name: d0, image: d0.img, sizeBytes: 8388608, tenant: local, queues: 2}
            """.formatted(transport));
             NbdTestClient client = NbdTestClient.open(fixture.port(), "d0", false))
        {
            final byte[] small = new byte[4096];
            final byte[] large = new byte[1 << 20];
            final Random random = new Random(11);
            random.nextBytes(small);
            random.nextBytes(large);

            assertThat(client.write(1, 0, small, 0)).isZero();
            // large enough for the blk worker to take the data from the socket where the transport allows it
            assertThat(client.write(2, 1 << 20, large, NbdProtocol.CMD_FLAG_FUA)).isZero();
            assertThat(client.read(3, 0, small.length)).isEqualTo(small);
            assertThat(client.read(4, 1 << 20, large.length)).isEqualTo(large);
        }
    }
}
