package io.vplane.blockstore.management;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vplane.blockstore.nbd.NbdTestClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code POST /disk/qos} and {@code POST /disk/upgrade} against a running daemon. */
@Timeout(60)
class DiskServiceManagementTest extends OneDaemonTest
{
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void shouldChangeOnlyTheQosFieldsGivenAndTakeSizesForByteRates() throws Exception
    {
        fixture.post("/disk/qos", "{\"name\":\"base\",\"writeIops\":500,\"weight\":300}");
        final JsonNode answer = JSON.readTree(fixture.post("/disk/qos", "{\"name\":\"base\",\"readBytesPerSec\":\"10M\"}"));

        assertThat(answer.path("qos").path("writeIops").asLong()).isEqualTo(500);
        assertThat(answer.path("qos").path("weight").asInt()).isEqualTo(300);
        assertThat(answer.path("qos").path("readBytesPerSec").asLong()).isEqualTo(10L << 20);
        assertThat(answer.path("admitted").isNumber()).isTrue();
        final JsonNode lifted = JSON.readTree(fixture.post("/disk/qos", "{\"name\":\"base\",\"readBytesPerSec\":\"0\"}"));
        assertThat(lifted.path("qos").path("readBytesPerSec").asLong()).isZero();
    }

    @Test
    void shouldPutADiskOnALevelWithTheFieldsGivenOnTop() throws Exception
    {
        fixture.post("/disk/qos", "{\"name\":\"base\",\"writeIops\":500}");
        final JsonNode answer = JSON.readTree(fixture.post("/disk/qos", "{\"name\":\"base\",\"level\":\"gold\",\"readIops\":7}"));

        assertThat(answer.path("qos").path("weight").asInt()).isEqualTo(400);
        assertThat(answer.path("qos").path("reservationIops").asLong()).isEqualTo(100);
        assertThat(answer.path("qos").path("readIops").asLong()).isEqualTo(7);
        assertThat(answer.path("qos").path("writeIops").asLong()).isZero(); // the level's, not the disk's before
        assertThat(fixture.error("/disk/qos", "{\"name\":\"base\",\"level\":\"tin\"}"))
            .contains("QoS level 'tin' is not defined in nbd.qos.levels; defined: gold");
    }

    @Test
    void shouldRefuseBadQosWithTheConfigFilesMessages()
    {
        assertThat(fixture.error("/disk/qos", "{\"name\":\"base\",\"weight\":0}")).contains("allowed 1..10000");
        assertThat(fixture.error("/disk/qos", "{\"name\":\"base\",\"iops\":5}")).contains("unknown field 'iops'");
        assertThat(fixture.error("/disk/qos", "{\"name\":\"nope\"}")).contains("no disk named 'nope'");
    }

    @Test
    void shouldReopenTheSameImageUnderAConnectedClientWhichKeepsItsData() throws Exception
    {
        try (NbdTestClient client = NbdTestClient.open(fixture.nbdPort, "base", false))
        {
            final byte[] data = new byte[4096];
            Arrays.fill(data, (byte)9);
            assertThat(client.write(1, 8192, data, 0)).isZero();

            final JsonNode answer = JSON.readTree(fixture.post("/disk/upgrade", "{\"name\":\"base\"}"));

            assertThat(answer.path("image").asText()).isEqualTo(fixture.runDir.resolve("base.img").toString());
            assertThat(client.read(2, 8192, 4096)).isEqualTo(data);
            assertThat(client.write(3, 0, data, 0)).isZero();
        }
    }

    @Test
    void shouldRefuseAMissingImageOrOneOfAnotherSizeAndKeepServing() throws Exception
    {
        Files.write(fixture.runDir.resolve("small.img"), new byte[4096]);

        assertThat(fixture.error("/disk/upgrade", "{\"name\":\"base\",\"backend\":\"none.img\"}")).contains("no image file");
        assertThat(fixture.error("/disk/upgrade", "{\"name\":\"base\",\"backend\":\"small.img\"}"))
            .contains("the new backend must have the same size");
        assertThat(fixture.error("/disk/upgrade", "{\"name\":\"base\",\"backend\":\"nbd://10.9.9.9:10809/x\"}"))
            .contains("remoteBackends");
        try (NbdTestClient client = NbdTestClient.open(fixture.nbdPort, "base", false))
        {
            assertThat(client.read(1, 0, 512)).hasSize(512);
        }
    }
}
