package io.vplane.blockstore.interop;

import io.vplane.blockstore.nbd.NbdTestClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** libnbd's tools: nbdinfo (INFO, LIST, LIST_META_CONTEXT, block status map) and nbdcopy (multi-conn). */
@Timeout(120)
class LibnbdIT extends OneDiskPeerTest
{
    private static final long SIZE = 8L << 20;

    @Override
    long diskSize()
    {
        return SIZE;
    }

    @Test
    void shouldDescribeTheExportWithNbdinfo()
    {
        final String info = Peer.run(30, "nbdinfo", fixture.uri("vm"));

        assertThat(info).contains("export-size: " + SIZE).contains("can_multi_conn: true")
            .contains("base:allocation");
    }

    @Test
    void shouldListTheExportWithNbdinfo()
    {
        final String list = Peer.run(30, "nbdinfo", "--list", "nbd://127.0.0.1:" + fixture.port());

        assertThat(list).contains("export=\"vm\"");
    }

    @Test
    void shouldMapDataAndHolesWithNbdinfo() throws Exception
    {
        try (NbdTestClient client = NbdTestClient.open(fixture.port(), "vm", false))
        {
            final byte[] data = new byte[1 << 20];
            new Random(1).nextBytes(data);
            assertThat(client.write(1, 1 << 20, data, 0)).isZero();
        }

        final String map = Peer.run(30, "nbdinfo", "--map", fixture.uri("vm"));

        assertThat(map).containsPattern("0\\s+1048576\\s+3\\s+hole,zero");
        assertThat(map).containsPattern("1048576\\s+1048576\\s+0\\s+data");
    }

    @Test
    void shouldRoundTripAnImageWithNbdcopy() throws Exception
    {
        final Path source = dir.resolve("in.raw");
        final byte[] image = new byte[(int)SIZE];
        new Random(9).nextBytes(image);
        Files.write(source, image);
        final Path back = dir.resolve("out.raw");

        Peer.run(60, "nbdcopy", source.toString(), fixture.uri("vm"));
        Peer.run(60, "nbdcopy", fixture.uri("vm"), back.toString());

        assertThat(sha256(back)).isEqualTo(sha256(source));
    }

    private static String sha256(final Path file) throws Exception
    {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }
}
