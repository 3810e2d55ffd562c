package io.vplane.engine.daemon;

import io.vplane.engine.device.DeviceKinds;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class ConfigFileSettingTest
{
    private static final String FILE = """
        # my tuned config
        pools:
          net:
            workers: 1
            queuesPerWorker: 2  # before tuning

        # devices follow
        devices:
          loopback:
            - {name: lo0, type: net, queues: 4}
        """;

    @TempDir
    Path dir;

    @Test
    void shouldWriteJustTheValueAndKeepTheRestOfTheFile() throws Exception
    {
        final Path file = dir.resolve("vplane.yaml");
        Files.writeString(file, FILE);

        final String note = ConfigFileSetting.writeQueuesPerWorker(file, DeviceKinds.load(), "net", 3);

        assertThat(note).startsWith("wrote pools.net.queuesPerWorker: 3 to " + file.toRealPath());
        assertThat(Files.readString(file)).isEqualTo(FILE.replace("queuesPerWorker: 2  # before tuning", "queuesPerWorker: 3  # before tuning"));
        assertThat(ConfigFileSetting.writeQueuesPerWorker(file, DeviceKinds.load(), "net", 3)).contains("is already 3");
        assertThat(dir.resolve(".vplane.yaml.tune")).doesNotExist();
    }

    @Test
    void shouldSayWhenThereIsNoFileOrItCannotBeEdited() throws Exception
    {
        assertThat(ConfigFileSetting.writeQueuesPerWorker(null, DeviceKinds.load(), "blk", 2))
            .startsWith("applied live only: the daemon runs the embedded default config");

        final Path inline = dir.resolve("inline.yaml");
        Files.writeString(inline, "pools:\n  net: {workers: 1}\n");
        assertThat(ConfigFileSetting.writeQueuesPerWorker(inline, DeviceKinds.load(), "net", 2))
            .startsWith("applied live only: could not write pools.net.queuesPerWorker").contains("written inline");
        assertThat(Files.readString(inline)).isEqualTo("pools:\n  net: {workers: 1}\n");
    }
}
