package io.vplane.blockstore.management;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code nbd.qos.measure}: the capacity left at 0 is measured when the first disk opens; a configured one stays. */
@Timeout(60)
class MeasuredCapacityTest
{
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void shouldMeasureTheByteRateLeftAtZeroAndKeepTheConfiguredIops() throws Exception
    {
        try (DaemonFixture fixture = new DaemonFixture(dir, """
              qos:
                capacityIops: 1234
                measure: {enabled: true, seconds: 1, fileMiB: 16, threads: 2}
              tenants:
                - {name: local, allow: [127.0.0.0/8]}
              disks:
                - {name: base, image: base.img, sizeBytes: 1048576, tenant: local}
            """))
        {
            final JsonNode answer = JSON.readTree(fixture.post("/disk/qos", "{\"name\":\"base\"}"));

            assertThat(answer.path("capacityIops").asLong()).isEqualTo(1234);
            assertThat(answer.path("capacityBytesPerSec").asLong()).isPositive();
        }
    }
}
