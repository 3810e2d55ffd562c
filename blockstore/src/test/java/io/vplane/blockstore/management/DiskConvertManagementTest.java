package io.vplane.blockstore.management;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vplane.blockstore.nbd.NbdTestClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code /disk/convert} routes against a running daemon (disk {@code base}, 1 MiB). */
@Timeout(60)
class DiskConvertManagementTest extends OneDaemonTest
{
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int SIZE = 1 << 20;

    @Test
    void shouldConvertFromARawSourceIntoTheDisksOwnImageAndNotRepeatWhenAskedAgain() throws Exception
    {
        final byte[] source = new byte[SIZE];
        Arrays.fill(source, (byte)0x3c);
        Files.write(fixture.runDir.resolve("source.raw"), source);
        final String request = "{\"name\":\"base\",\"from\":\"raw:source.raw\",\"rateBytesPerSec\":0,\"chunkBytes\":\"64K\"}";
        try (NbdTestClient client = NbdTestClient.open(fixture.nbdPort, "base", false))
        {
            fixture.post("/disk/convert", request);
            assertThat(client.read(1, 4096, 16)).containsOnly(0x3c);
            final JsonNode done = awaitDone();
            assertThat(done.path("bytesDone").asLong()).isEqualTo(SIZE);
            assertThat(done.path("chunkBytes").asInt()).isEqualTo(64 << 10);
            assertThat(Files.exists(fixture.runDir.resolve("base.img.convert-map"))).isFalse();
            assertThat(fixture.api.get("/metrics")).containsPattern("vplane_blk_convert_done_bytes\\{disk=\"base\"[^}]*} " + SIZE)
                .containsPattern("vplane_blk_convert_size_bytes\\{disk=\"base\"[^}]*} " + SIZE);
            final byte[] written = new byte[4096];
            Arrays.fill(written, (byte)7);
            assertThat(client.write(2, 0, written, 0)).isZero();
            // The same command again: already done, so what the client wrote stays.
            assertThat(JSON.readTree(fixture.post("/disk/convert", request)).path("state").asText()).isEqualTo("done");
            assertThat(client.read(3, 0, 4096)).isEqualTo(written);
        }
        assertThat(Files.readAllBytes(fixture.runDir.resolve("base.img"))[8192]).isEqualTo((byte)0x3c);
    }

    @Test
    void shouldRefuseBadConversionsWithTheReason() throws Exception
    {
        Files.write(fixture.runDir.resolve("small.raw"), new byte[4096]);
        Files.write(fixture.runDir.resolve("other.raw"), new byte[SIZE]);
        Files.write(fixture.runDir.resolve("right.raw"), new byte[SIZE]);
        assertThat(fixture.error("/disk/convert", "{\"name\":\"base\",\"from\":\"vmdk:x.vmdk\"}")).contains("qcow2:PATH or raw:PATH");
        assertThat(fixture.error("/disk/convert", "{\"name\":\"base\",\"from\":\"qcow2:none.qcow2\"}")).contains("none.qcow2");
        assertThat(fixture.error("/disk/convert", "{\"name\":\"base\",\"from\":\"raw:small.raw\"}")).contains("must be equal");
        assertThat(fixture.error("/disk/convert", "{\"name\":\"base\",\"from\":\"raw:right.raw\",\"to\":\"raw:other.raw\"}"))
            .contains("exists and is not disk base's image");
        assertThat(fixture.error("/disk/convert", "{\"name\":\"base\",\"from\":\"raw:right.raw\",\"chunkBytes\":5000}"))
            .contains("power of two");
        assertThat(fixture.error("/disk/convert", "{\"name\":\"base\",\"from\":\"raw:right.raw\",\"to\":\"qcow2:x.qcow2\"}"))
            .contains("writes a raw image");
        assertThat(fixture.error("/disk/convert", "{\"name\":\"base\",\"from\":\"raw:../etc/passwd\"}")).contains("..");
        assertThat(fixture.error("/disk/convert/cancel", "{\"name\":\"base\"}")).contains("has no conversion");
        assertThat(fixture.error("/disk/create", "{\"name\":\"q\",\"size\":\"1M\",\"image\":\"qcow2:right.qcow2\"}"))
            .contains("served read-only");
        // Refused without a trace: the disk serves as before, no map left behind.
        assertThat(Files.list(fixture.runDir).filter(p -> p.toString().endsWith(".convert-map")).count()).isZero();
        try (NbdTestClient client = NbdTestClient.open(fixture.nbdPort, "base", false))
        {
            assertThat(client.read(1, 0, 512)).hasSize(512);
        }
    }

    private JsonNode awaitDone() throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        JsonNode status = JSON.readTree(fixture.api.get("/disk/convert/status?name=base"));
        while (!"done".equals(status.path("state").asText()) && System.nanoTime() < deadline)
        {
            TimeUnit.MILLISECONDS.sleep(20);
            status = JSON.readTree(fixture.api.get("/disk/convert/status?name=base"));
        }
        assertThat(status.path("state").asText()).as(status.toString()).isEqualTo("done");
        return status;
    }
}
