package io.vplane.blockstore.interop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vplane.blockstore.management.DaemonFixture;
import io.vplane.blockstore.management.OneDaemonTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Live disk management against real NBD clients: a disk created through the management API is
 * seen by nbdinfo, written and read back by nbdcopy, grown, deleted under a connected qemu-io, and
 * disks come and go with a reload of the config file.
 */
@Timeout(180)
class DiskLifecycleIT extends OneDaemonTest
{
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long SIZE = 8L << 20;

    @Test
    void shouldCreateWriteReadGrowAndDeleteADiskSeenByLibnbdTools() throws Exception
    {
        fixture.post("/disk/create", "{\"name\":\"d1\",\"size\":\"8M\",\"description\":\"made live\"}");

        assertThat(Peer.run(30, "nbdinfo", fixture.uri("d1"))).contains("export-size: " + SIZE).contains("made live");
        assertThat(Peer.run(30, "nbdinfo", "--list", "nbd://127.0.0.1:" + fixture.nbdPort))
            .contains("export=\"d1\"").contains("export=\"base\"");

        final Path source = dir.resolve("in.raw");
        final byte[] image = new byte[(int)SIZE];
        new Random(4).nextBytes(image);
        Files.write(source, image);
        Peer.run(60, "nbdcopy", source.toString(), fixture.uri("d1"));
        final Path back = dir.resolve("out.raw");
        Peer.run(60, "nbdcopy", fixture.uri("d1"), back.toString());
        assertThat(sha256(Files.readAllBytes(back))).isEqualTo(sha256(image));

        fixture.post("/disk/resize", "{\"name\":\"d1\",\"size\":\"16M\"}");
        assertThat(Peer.run(30, "nbdinfo", fixture.uri("d1"))).contains("export-size: " + 2 * SIZE);
        assertThat(Peer.run(30, "qemu-img", "info", "-f", "raw", fixture.uri("d1"))).contains("virtual size: 16 MiB");
        final Path grown = dir.resolve("grown.raw");
        Peer.run(60, "nbdcopy", fixture.uri("d1"), grown.toString());
        final byte[] afterGrow = Files.readAllBytes(grown);
        assertThat(sha256(Arrays.copyOf(afterGrow, (int)SIZE))).as("data kept by the grow").isEqualTo(sha256(image));
        assertThat(Arrays.copyOfRange(afterGrow, (int)SIZE, (int)(2 * SIZE))).containsOnly(0);

        final JsonNode deleted = JSON.readTree(fixture.post("/disk/delete", "{\"name\":\"d1\"}"));
        assertThat(deleted.get("imageDeleted").asBoolean()).isFalse();
        final Peer.Result gone = Peer.runAllowingFailure(30, "nbdinfo", fixture.uri("d1"));
        assertThat(gone.exitCode()).as(gone.output()).isNotZero();
        assertThat(Peer.run(30, "nbdinfo", "--list", "nbd://127.0.0.1:" + fixture.nbdPort)).doesNotContain("d1");
    }

    @Test
    void shouldCloseAConnectedQemuIoAfterItsWritesWhenTheDiskIsDeleted() throws Exception
    {
        fixture.post("/disk/create", "{\"name\":\"d1\",\"size\":\"4M\"}");
        final Process qemuIo = new ProcessBuilder("qemu-io", "-f", "raw", fixture.uri("d1")).redirectErrorStream(true).start();
        final Output output = new Output(qemuIo.getInputStream());
        try (OutputStream commands = qemuIo.getOutputStream())
        {
            command(commands, "write -P 0x5a 0 1M");
            output.await("wrote 1048576/1048576", qemuIo);
            assertThat(JSON.readTree(fixture.api.get("/disk/list")).findValues("connections").stream().mapToInt(JsonNode::asInt).sum())
                .isEqualTo(1);
            command(commands, "aio_write -P 0x6b 1M 1M");
            command(commands, "aio_write -P 0x6b 2M 1M");

            final JsonNode deleted = JSON.readTree(fixture.post("/disk/delete", "{\"name\":\"d1\"}"));

            assertThat(deleted.get("closedConnections").asInt()).isEqualTo(1);
            command(commands, "aio_flush");
            command(commands, "read -P 0x5a 0 512");
            command(commands, "quit");
        }
        catch (final IOException closedPipe)
        {
            // qemu-io may already have quit on the closed connection
        }
        assertThat(qemuIo.waitFor(30, TimeUnit.SECONDS)).as(output.text()).isTrue();
        assertThat(output.text()).as("the read after the delete must fail").doesNotContain("read 512/512");
        final byte[] image = Files.readAllBytes(fixture.runDir.resolve("d1.img"));
        assertThat(Arrays.copyOfRange(image, 0, 1 << 20)).as(output.text()).containsOnly(0x5a);
        final String text = output.text();
        final Matcher acknowledged = Pattern.compile("wrote 1048576/1048576 bytes at offset ([1-9][0-9]*)").matcher(text);
        while (acknowledged.find())
        {
            final int offset = Integer.parseInt(acknowledged.group(1));
            assertThat(Arrays.copyOfRange(image, offset, offset + (1 << 20))).as("acknowledged aio_write at %d:%n%s", offset, text)
                .containsOnly(0x6b);
        }
    }

    @Test
    void shouldAddAndRemoveDisksOnReload() throws Exception
    {
        fixture.rewrite("""
              tenants:
                - {name: local, allow: [127.0.0.0/8, "::1/128"]}
              disks:
                - {name: fresh, image: fresh.img, sizeBytes: 2097152, tenant: local, queues: 2}
            """);

        final String report = fixture.post("/reload", "");

        assertThat(report).contains("nbd.disks.base").contains("nbd.disks.fresh").doesNotContain("NEEDS_RESTART");
        assertThat(Peer.run(30, "nbdinfo", fixture.uri("fresh"))).contains("export-size: 2097152");
        final String list = Peer.run(30, "nbdinfo", "--list", "nbd://127.0.0.1:" + fixture.nbdPort);
        assertThat(list).contains("export=\"fresh\"").doesNotContain("export=\"base\"");
    }

    @Test
    void shouldCreateAProxyDiskOnAnotherNbdServer() throws Exception
    {
        final int remotePort;
        try (ServerSocket probe = new ServerSocket(0))
        {
            remotePort = probe.getLocalPort();
        }
        final Process nbdkit;
        try
        {
            nbdkit = new ProcessBuilder("nbdkit", "-f", "-p", Integer.toString(remotePort), "-i", "127.0.0.1", "memory", "4M")
                .redirectErrorStream(true).redirectOutput(dir.resolve("nbdkit.log").toFile()).start();
        }
        catch (final IOException ex)
        {
            throw new AssertionError("cannot run nbdkit (apt-get install nbdkit): " + ex.getMessage(), ex);
        }
        try
        {
            Peer.awaitPort(remotePort);
            // Remote backends must be on the daemon's allow-list, which is read at start.
            fixture.close();
            fixture = new DaemonFixture(dir, DaemonFixture.BASE, List.of("127.0.0.1:" + remotePort));
            final String remote = "nbd://127.0.0.1:" + remotePort + "/";
            final JsonNode created = JSON.readTree(fixture.post("/disk/create",
                "{\"name\":\"px\",\"size\":\"4M\",\"image\":\"" + remote + "\"}"));

            assertThat(created.get("image").asText()).isEqualTo(remote);
            assertThat(Peer.run(30, "nbdinfo", fixture.uri("px"))).contains("export-size: " + (4 << 20));
            final Path source = dir.resolve("px.raw");
            final byte[] data = new byte[4 << 20];
            new Random(8).nextBytes(data);
            Files.write(source, data);
            Peer.run(60, "nbdcopy", source.toString(), fixture.uri("px"));
            Peer.run(60, "qemu-img", "compare", "-f", "raw", "-F", "raw", source.toString(), remote);
            final String refused = errorOf(() -> fixture.post("/disk/resize", "{\"name\":\"px\",\"size\":\"8M\"}"));
            assertThat(refused).contains("disk px is served from " + remote + "; resize it on that server");
            fixture.post("/disk/delete", "{\"name\":\"px\",\"deleteImage\":true}");
            assertThat(nbdkit.isAlive()).isTrue();
        }
        finally
        {
            nbdkit.destroy();
            nbdkit.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static String errorOf(final Runnable request)
    {
        try
        {
            request.run();
        }
        catch (final RuntimeException ex)
        {
            return ex.getMessage();
        }
        throw new AssertionError("the request was accepted");
    }

    private static void command(final OutputStream commands, final String line) throws IOException
    {
        commands.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        commands.flush();
    }

    private static String sha256(final byte[] data) throws Exception
    {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }

    /** Collects a child's output on a thread of its own. */
    private static final class Output
    {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        Output(final InputStream in)
        {
            Thread.ofPlatform().daemon().start(() ->
            {
                final byte[] buffer = new byte[4096];
                try
                {
                    int n;
                    while ((n = in.read(buffer)) > 0)
                    {
                        synchronized (bytes)
                        {
                            bytes.write(buffer, 0, n);
                        }
                    }
                }
                catch (final IOException ignore)
                {
                    // the child went away
                }
            });
        }

        String text()
        {
            synchronized (bytes)
            {
                return bytes.toString(StandardCharsets.UTF_8);
            }
        }

        void await(final String expected, final Process process) throws InterruptedException
        {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!text().contains(expected))
            {
                assertThat(process.isAlive()).as("exited early:%n%s", text()).isTrue();
                assertThat(System.nanoTime() - deadline).as("no '%s' in:%n%s", expected, text()).isNegative();
                Thread.sleep(20);
            }
        }
    }
}
