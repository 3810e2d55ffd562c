package io.vplane.blockstore.management;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vplane.blockstore.nbd.NbdProtocol;
import io.vplane.blockstore.nbd.NbdTestClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The {@code /disk} routes of a daemon in this JVM, checked with the NBD test client. */
@Timeout(60)
class DiskManagementTest extends OneDaemonTest
{
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void shouldServeACreatedDiskAtOnceWithItsSparseImageInTheRunDirectory() throws Exception
    {
        final JsonNode created = json(fixture.post("/disk/create", "{\"name\":\"d1\",\"size\":\"2M\",\"queues\":2,\"description\":\"x\"}"));

        assertThat(created.get("sizeBytes").asLong()).isEqualTo(2L << 20);
        assertThat(created.get("image").asText()).isEqualTo(fixture.runDir.resolve("d1.img").toString());
        assertThat(created.get("tenant").asText()).isEqualTo("local");
        assertThat(Files.size(fixture.runDir.resolve("d1.img"))).isEqualTo(2L << 20);
        try (NbdTestClient client = NbdTestClient.open(fixture.nbdPort, "d1", false))
        {
            assertThat(client.exportSize).isEqualTo(2L << 20);
            final byte[] data = new byte[4096];
            Arrays.fill(data, (byte)7);
            assertThat(client.write(1, 4096, data, 0)).isZero();
            assertThat(client.read(2, 4096, 4096)).isEqualTo(data);
            assertThat(json(fixture.api.get("/disk/list")).findValues("connections").stream().mapToInt(JsonNode::asInt).sum())
                .isEqualTo(1);
        }
        assertThat(json(fixture.api.get("/devices")).toString()).contains("\"d1\"");
    }

    @Test
    void shouldRefuseBadRequestsWithClearMessages() throws Exception
    {
        assertThat(error("/disk/create", "{\"name\":\"base\",\"size\":\"1M\"}")).contains("already running");
        assertThat(error("/disk/create", "{\"name\":\"d2\",\"size\":\"lots\"}")).contains("size 'lots' is not a size");
        assertThat(error("/disk/create", "{\"name\":\"d2\",\"size\":1000}")).contains("must be a multiple of 512");
        assertThat(error("/disk/create", "{\"name\":\"d2\",\"size\":\"1M\",\"tenant\":\"acme\"}"))
            .contains("tenant 'acme' is not declared in nbd.tenants; declared: local");
        assertThat(error("/disk/create", "{\"name\":\"d2\",\"size\":\"1M\",\"image\":\"/proc/nope/d2.img\"}"))
            .contains("is outside the allowed directories");
        assertThat(error("/disk/create", "{\"name\":\"d2\",\"size\":\"1M\",\"image\":\"base.img/d2.img\"}"))
            .contains("cannot open image base.img/d2.img");
        assertThat(error("/disk/create", "{\"name\":\"bad name\",\"size\":\"1M\"}")).contains("disk name 'bad name' is not allowed");
        assertThat(error("/disk/create", "{\"name\":\"d2\",\"sise\":\"1M\"}")).contains("unknown field 'sise'");
        assertThat(error("/disk/resize", "{\"name\":\"nope\",\"size\":\"1M\"}")).contains("no disk named 'nope'; disks: [base]");
        assertThat(error("/disk/delete", "{\"name\":\"nope\"}")).contains("no disk named 'nope'");
        assertThat(json(fixture.api.get("/disk/list")).findValuesAsText("name")).containsExactly("base");
    }

    @Test
    void shouldGrowForNewConnectionsAndRefuseShrinkingUnderOpenConnectionsUnlessForced() throws Exception
    {
        try (NbdTestClient before = NbdTestClient.open(fixture.nbdPort, "base", false))
        {
            final JsonNode grown = json(fixture.post("/disk/resize", "{\"name\":\"base\",\"size\":\"4M\"}"));
            assertThat(grown.get("oldSizeBytes").asLong()).isEqualTo(1L << 20);
            assertThat(Files.size(fixture.runDir.resolve("base.img"))).isEqualTo(4L << 20);
            try (NbdTestClient after = NbdTestClient.open(fixture.nbdPort, "base", false))
            {
                assertThat(after.exportSize).isEqualTo(4L << 20);
            }
            assertThat(before.exportSize).isEqualTo(1L << 20);
            awaitConnections("base", 1);

            assertThat(error("/disk/resize", "{\"name\":\"base\",\"size\":\"1M\"}"))
                .contains("disk base has 1 open connection; shrinking").contains("--force");
            fixture.post("/disk/resize", "{\"name\":\"base\",\"size\":\"1M\",\"force\":true}");

            before.request(0, NbdProtocol.CMD_READ, 9, 2L << 20, 512, null);
            assertThat(before.readSimpleReply(9)).isEqualTo(NbdProtocol.EINVAL);
        }
        assertThat(Files.size(fixture.runDir.resolve("base.img"))).isEqualTo(1L << 20);
    }

    @Test
    void shouldFinishAcknowledgedWritesThenCloseConnectionsWhenADiskIsDeleted() throws Exception
    {
        fixture.post("/disk/create", "{\"name\":\"d1\",\"size\":\"1M\"}");
        final byte[] data = new byte[65536];
        Arrays.fill(data, (byte)0x5A);
        try (NbdTestClient client = NbdTestClient.open(fixture.nbdPort, "d1", false))
        {
            assertThat(client.write(1, 0, data, 0)).isZero();
            // in flight when the delete starts: sent, reply not read yet
            for (int i = 1; i < 8; i++)
            {
                client.request(0, NbdProtocol.CMD_WRITE, 100 + i, (long)i * data.length, data.length, data);
            }
            final JsonNode deleted = json(fixture.post("/disk/delete", "{\"name\":\"d1\"}"));

            assertThat(deleted.get("closedConnections").asInt()).isEqualTo(1);
            assertThat(deleted.get("imageDeleted").asBoolean()).isFalse();
            int acknowledged = 1;
            try
            {
                for (int i = 1; i < 8; i++)
                {
                    assertThat(client.readSimpleReply(100 + i)).isZero();
                    acknowledged++;
                }
            }
            catch (final java.io.IOException closed)
            {
                // requests the server had not read yet when the disk stopped are never answered
            }
            assertThat(client.isClosedByServer()).isTrue();
            final byte[] image = Files.readAllBytes(fixture.runDir.resolve("d1.img"));
            for (int i = 0; i < acknowledged; i++)
            {
                assertThat(Arrays.copyOfRange(image, i * data.length, (i + 1) * data.length)).as("write " + i).isEqualTo(data);
            }
        }
        assertThatThrownBy(() -> NbdTestClient.open(fixture.nbdPort, "d1", false)).isInstanceOf(Exception.class);
        assertThat(json(fixture.api.get("/disk/list")).findValuesAsText("name")).containsExactly("base");
    }

    /** A WRITE whose client stalled mid-data (its rest then comes through the event loop) is finished before the close. */
    @Test
    void shouldFinishAWriteWhoseDataIsStillArrivingWhenItsDiskIsDeleted() throws Exception
    {
        fixture.post("/disk/create", "{\"name\":\"d1\",\"size\":\"2M\"}");
        final byte[] data = new byte[1 << 20];
        Arrays.fill(data, (byte)0x6B);
        try (NbdTestClient client = NbdTestClient.open(fixture.nbdPort, "d1", false))
        {
            client.request(0, NbdProtocol.CMD_WRITE, 1, 0, data.length, Arrays.copyOf(data, 100_000));
            Thread.sleep(100); // the worker stops waiting; the event loop is to receive the rest
            final CompletableFuture<String> deleted =
                CompletableFuture.supplyAsync(() -> fixture.post("/disk/delete", "{\"name\":\"d1\"}"));
            Thread.sleep(100);
            client.out.write(data, 100_000, data.length - 100_000);
            client.out.flush();

            assertThat(client.readSimpleReply(1)).isZero();
            assertThat(client.isClosedByServer()).isTrue();
            assertThat(json(deleted.get()).get("closedConnections").asInt()).isEqualTo(1);
        }
        assertThat(Arrays.copyOf(Files.readAllBytes(fixture.runDir.resolve("d1.img")), data.length)).isEqualTo(data);
    }

    @Test
    void shouldDeleteTheImageOnlyWhenAsked() throws Exception
    {
        fixture.post("/disk/create", "{\"name\":\"d1\",\"size\":\"1M\"}");
        fixture.post("/disk/create", "{\"name\":\"d2\",\"size\":\"1M\",\"image\":\"sub/d2.raw\"}");

        assertThat(json(fixture.post("/disk/delete", "{\"name\":\"d1\",\"deleteImage\":true}")).get("imageDeleted").asBoolean())
            .isTrue();
        fixture.post("/disk/delete", "{\"name\":\"d2\"}");

        assertThat(fixture.runDir.resolve("d1.img")).doesNotExist();
        assertThat(fixture.runDir.resolve("sub/d2.raw")).exists();
    }

    @Test
    void shouldAddRemoveAndRetenantDisksOnReload() throws Exception
    {
        fixture.post("/disk/create", "{\"name\":\"live\",\"size\":\"1M\"}");
        try (NbdTestClient open = NbdTestClient.open(fixture.nbdPort, "live", false))
        {
            fixture.rewrite("""
                  tenants:
                    - {name: local, allow: [10.0.0.0/8]}
                  disks:
                    - {name: d2, image: d2.img, sizeBytes: 2097152, tenant: local}
                """);
            final JsonNode report = json(fixture.post("/reload", ""));

            assertThat(report.toString()).contains("nbd.disks.base").contains("nbd.disks.d2").contains("nbd.tenants.local")
                .doesNotContain("NEEDS_RESTART");
            assertThat(json(fixture.api.get("/disk/list")).findValuesAsText("name")).containsExactlyInAnyOrder("d2", "live");
            // the new rules hold for new connections: loopback is no longer allowed
            assertThatThrownBy(() -> NbdTestClient.open(fixture.nbdPort, "d2", false)).isInstanceOf(Exception.class);
            // the open one was admitted before and keeps working
            assertThat(open.read(1, 0, 512)).hasSize(512);
        }
        fixture.rewrite(DaemonFixture.BASE);
        fixture.post("/reload", "");
        try (NbdTestClient back = NbdTestClient.open(fixture.nbdPort, "base", false))
        {
            assertThat(back.exportSize).isEqualTo(1L << 20);
        }
    }

    /** The server sees a client's socket close on its event loop, a moment after the client closed it. */
    private void awaitConnections(final String disk, final int count) throws Exception
    {
        final long deadline = System.nanoTime() + 10_000_000_000L;
        while (connections(disk) != count && System.nanoTime() - deadline < 0)
        {
            Thread.sleep(10);
        }
        assertThat(connections(disk)).isEqualTo(count);
    }

    private int connections(final String disk) throws Exception
    {
        for (final JsonNode listed : json(fixture.api.get("/disk/list")))
        {
            if (disk.equals(listed.path("name").asText()))
            {
                return listed.path("connections").asInt();
            }
        }
        throw new AssertionError("no disk " + disk + " listed");
    }

    private String error(final String path, final String body)
    {
        return fixture.error(path, body);
    }

    private static JsonNode json(final String text) throws Exception
    {
        return JSON.readTree(text);
    }
}
