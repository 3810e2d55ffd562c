package io.vplane.blockstore.interop;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** qemu's NBD client: STRUCTURED_REPLY, SET_META_CONTEXT base:allocation, GO, BLOCK_STATUS with REQ_ONE. */
@Timeout(120)
class QemuImgIT extends OneDiskPeerTest
{
    private static final long SIZE = 16L << 20;

    @Override
    long diskSize()
    {
        return SIZE;
    }

    @Test
    void shouldReportVirtualSizeWithQemuImgInfo()
    {
        final String info = Peer.run(30, "qemu-img", "info", "--output=json", fixture.uri("vm"));

        assertThat(info).contains("\"virtual-size\": " + SIZE);
    }

    @Test
    void shouldConvertARandomImageIntoTheExportAndBackOutUnchanged() throws IOException
    {
        final Path source = dir.resolve("source.raw");
        final byte[] image = new byte[(int)SIZE];
        final Random random = new Random(42);
        // Data with holes in between, so both data and zero paths run.
        for (int block = 0; block < SIZE / 65536; block++)
        {
            if (block % 3 != 0)
            {
                final byte[] chunk = new byte[65536];
                random.nextBytes(chunk);
                System.arraycopy(chunk, 0, image, block * 65536, 65536);
            }
        }
        Files.write(source, image);
        final Path back = dir.resolve("back.raw");

        Peer.run(60, "qemu-img", "convert", "-n", "-f", "raw", "-O", "raw", source.toString(), fixture.uri("vm"));
        Peer.run(60, "qemu-img", "convert", "-f", "raw", "-O", "raw", fixture.uri("vm"), back.toString());

        Peer.run(60, "qemu-img", "compare", "-f", "raw", "-F", "raw", source.toString(), fixture.uri("vm"));
        assertThat(Files.readAllBytes(back)).isEqualTo(image);
    }
}
