package io.vplane.blockstore.device;

import com.sun.security.auth.module.UnixSystem;
import io.netty.channel.epoll.Epoll;
import io.vplane.blockstore.nbd.NbdProtocol;
import io.vplane.blockstore.nbd.NbdTestClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * An image whose file system fills up mid-WRITE: the WRITE is answered with ENOSPC (as nbdkit maps
 * it, and as qemu acts on), whether its data came through the event loop or straight from the
 * socket, and so is a WRITE_ZEROES that must take blocks; the stream stays in step, so the
 * connection serves on. The image lives on a 512 KiB tmpfs, which needs root to mount (CI runs as
 * root).
 */
@Timeout(60)
class FullImageTest
{
    private static final long SIZE = 8L << 20;

    @TempDir
    Path runDir;
    private Path mount;
    private NbdFixture fixture;

    @BeforeEach
    void start() throws Exception
    {
        assumeTrue(Epoll.isAvailable(), "workers splice from epoll sockets only; Netty's native epoll did not load");
        assumeTrue(0 == new UnixSystem().getUid(), "mounting the small tmpfs this test fills needs root");
        mount = runDir.resolve("small");
        Files.createDirectories(mount);
        final Process mounting = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=512k", "vplane-full-image",
            mount.toString()).redirectErrorStream(true).start();
        final String output = new String(mounting.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assumeTrue(0 == mounting.waitFor(), "mount -t tmpfs failed (no CAP_SYS_ADMIN here?): " + output);
        fixture = new NbdFixture(runDir, """
              tenants:
                - name: local
                  allow: [127.0.0.0/8]
              disks:
                - {name: d0, image: %s, sizeBytes: %d, tenant: local}
            """.formatted(mount.resolve("d0.img"), SIZE));
    }

    @AfterEach
    void stop() throws Exception
    {
        if (null != fixture)
        {
            fixture.close();
        }
        if (null != mount)
        {
            // Lazily: the image stays mapped until its mapping is collected (ImageMapping uses automatic arenas).
            new ProcessBuilder("umount", "-l", mount.toString()).inheritIO().start().waitFor();
        }
    }

    @Test
    void shouldAnswerEnospcAndServeOnWhenTheImageFillsUpMidWrite() throws Exception
    {
        final byte[] large = new byte[1 << 20];
        new Random(3).nextBytes(large);
        final byte[] small = new byte[4096];
        Arrays.fill(small, (byte)0x33);
        try (NbdTestClient client = NbdTestClient.open(fixture.port(), "d0", false))
        {
            // Twice the room there is: most of it is spliced from the socket, and the rest must be thrown away.
            assertThat(client.write(1, 0, large, 0)).isEqualTo(NbdProtocol.ENOSPC);
            // The file system is full now: a small WRITE through the event loop's buffer fails the same way.
            assertThat(client.write(2, 4L << 20, Arrays.copyOf(large, 32 * 1024), 0)).isEqualTo(NbdProtocol.ENOSPC);
            // Zeros that must take blocks (NO_HOLE; tmpfs has no zero-range, so they are written) fail the same way.
            client.request(NbdProtocol.CMD_FLAG_NO_HOLE, NbdProtocol.CMD_WRITE_ZEROES, 9, 6L << 20, 64 * 1024, null);
            assertThat(client.readSimpleReply(9)).isEqualTo(NbdProtocol.ENOSPC);
            // Blocks the first WRITE did get can be written again, and read back.
            assertThat(client.write(3, 0, small, NbdProtocol.CMD_FLAG_FUA)).isZero();
            assertThat(client.read(4, 0, small.length)).isEqualTo(small);
            assertThat(client.read(5, small.length, 4096)).isEqualTo(Arrays.copyOfRange(large, 4096, 8192));

            // Room again (TRIM punches the blocks out): a large WRITE on this connection lands exactly,
            // so nothing of the failed one's data was left behind on its way in.
            client.request(0, NbdProtocol.CMD_TRIM, 6, 0, large.length, null);
            assertThat(client.readSimpleReply(6)).isZero();
            final byte[] again = new byte[256 * 1024];
            new Random(4).nextBytes(again);
            assertThat(client.write(7, 0, again, 0)).isZero();
            assertThat(client.read(8, 0, again.length)).isEqualTo(again);
        }
        assertThat(fixture.counter("vplane_nbd_request_errors_total{disk=\"d0\",tenant=\"local\",error=\"ENOSPC\"")).isEqualTo(3);
        assertThat(fixture.counter("vplane_nbd_spliced_writes_total")).isEqualTo(2);
    }
}
