package io.vplane.blockstore.interop;

import io.vplane.blockstore.device.NbdFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** A disk whose image is another NBD server (nbdkit memory): vplane proxies as an NBD client. */
@Timeout(120)
class NbdProxyIT
{
    private static final long SIZE = 8L << 20;

    @TempDir
    Path dir;
    private Process nbdkit;
    private int remotePort;
    private NbdFixture fixture;

    @BeforeEach
    void start() throws Exception
    {
        try (ServerSocket probe = new ServerSocket(0))
        {
            remotePort = probe.getLocalPort();
        }
        try
        {
            nbdkit = new ProcessBuilder("nbdkit", "-f", "-p", Integer.toString(remotePort), "-i", "127.0.0.1",
                "memory", Long.toString(SIZE)).redirectErrorStream(true).redirectOutput(dir.resolve("nbdkit.log").toFile())
                .start();
        }
        catch (final IOException ex)
        {
            throw new AssertionError("cannot run nbdkit (apt-get install nbdkit): " + ex.getMessage(), ex);
        }
        Peer.awaitPort(remotePort);
        fixture = new NbdFixture(dir.resolve("run"), """
              tenants: [{name: local, allow: [127.0.0.0/8]}]
              disks:
                - {name: proxied, image: "nbd://127.0.0.1:%d/", sizeBytes: %d, tenant: local, queues: 2}
            """.formatted(remotePort, SIZE), List.of("127.0.0.1:" + remotePort));
    }

    @AfterEach
    void stop() throws Exception
    {
        if (null != fixture)
        {
            fixture.close();
        }
        nbdkit.destroy();
        nbdkit.waitFor(10, TimeUnit.SECONDS);
    }

    @Test
    void shouldStoreDataOnTheRemoteServer() throws Exception
    {
        final Path source = dir.resolve("source.raw");
        final byte[] image = new byte[(int)SIZE];
        new Random(5).nextBytes(image);
        Files.write(source, image);

        Peer.run(60, "qemu-img", "convert", "-n", "-f", "raw", "-O", "raw", source.toString(), fixture.uri("proxied"));

        Peer.run(60, "qemu-img", "compare", "-f", "raw", "-F", "raw", source.toString(), fixture.uri("proxied"));
        Peer.run(60, "qemu-img", "compare", "-f", "raw", "-F", "raw", source.toString(),
            "nbd://127.0.0.1:" + remotePort + "/");
        assertThat(Peer.run(30, "nbdinfo", fixture.uri("proxied"))).contains("export-size: " + SIZE);
    }
}
