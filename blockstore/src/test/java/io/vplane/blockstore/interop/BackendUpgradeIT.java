package io.vplane.blockstore.interop;

import io.vplane.blockstore.management.DaemonFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A disk's backend is swapped ten times while fio writes to it with crc32c verification, between
 * the image file and nbdkit serving the same file (a remote NBD backend vplane proxies to): every
 * swap happens with fio's requests in flight, and fio sees no error and no bad block.
 */
@Timeout(180)
class BackendUpgradeIT
{
    private static final long SIZE = 32L << 20;
    private static final int SWAPS = 10;

    @TempDir
    Path dir;
    private Process nbdkit;
    private Process fio;
    private DaemonFixture daemon;
    private int remotePort;

    @BeforeEach
    void start() throws Exception
    {
        try (ServerSocket probe = new ServerSocket(0))
        {
            remotePort = probe.getLocalPort();
        }
        daemon = new DaemonFixture(dir, """
              tenants:
                - {name: local, allow: [127.0.0.0/8]}
              disks:
                - {name: vm, image: vm.img, sizeBytes: %d, tenant: local, queues: 2}
            """.formatted(SIZE), List.of("127.0.0.1:" + remotePort));
        nbdkit = new ProcessBuilder("nbdkit", "-f", "-p", Integer.toString(remotePort), "-i", "127.0.0.1", "file",
            daemon.runDir.resolve("vm.img").toString()).redirectErrorStream(true)
            .redirectOutput(dir.resolve("nbdkit.log").toFile()).start();
        Peer.awaitPort(remotePort);
    }

    @AfterEach
    void stop() throws Exception
    {
        // The daemon before nbdkit: a disk on the remote flushes there when it closes.
        kill(fio);
        if (null != daemon)
        {
            daemon.close();
        }
        kill(nbdkit);
    }

    @Test
    void shouldSwapTheBackendTenTimesUnderVerifiedWritesWithoutAnError() throws Exception
    {
        final Path fioLog = dir.resolve("fio.log");
        fio = new ProcessBuilder("fio", "--name=upgrade", "--ioengine=nbd", "--uri=" + daemon.uri("vm"),
            "--rw=randwrite", "--bs=16k", "--iodepth=16", "--size=" + SIZE, "--loops=200", "--verify=crc32c",
            "--verify_backlog=64", "--verify_fatal=1", "--verify_state_save=0", "--randrepeat=1", "--output-format=normal")
            .redirectErrorStream(true).redirectOutput(fioLog.toFile()).start();
        final String remote = "nbd://127.0.0.1:" + remotePort + "/";
        long requeued = 0;
        TimeUnit.MILLISECONDS.sleep(500);
        for (int swap = 0; swap < SWAPS; swap++)
        {
            assertThat(fio.isAlive()).as("fio still running at swap %d:%n%s", swap, read(fioLog)).isTrue();
            final String answer = daemon.post("/disk/upgrade",
                "{\"name\":\"vm\",\"backend\":\"" + (swap % 2 == 0 ? remote : "vm.img") + "\"}");
            requeued += number(answer, "requeued");
            TimeUnit.MILLISECONDS.sleep(200);
        }
        assertThat(fio.isAlive()).as("fio still running after the swaps:%n%s", read(fioLog)).isTrue();
        fio.destroy(); // SIGTERM: fio stops, verifies what it wrote and reports
        assertThat(fio.waitFor(60, TimeUnit.SECONDS)).isTrue();
        final String output = read(fioLog);

        assertThat(output).as(output).contains("err= 0").doesNotContain("verify: bad").doesNotContain("fio: io_u error");
        // Every block written is read back and checked within 64 writes (verify_backlog); the reads are the checks.
        final Matcher issued = Pattern.compile("issued rwts: total=(\\d+),(\\d+),").matcher(output);
        assertThat(issued.find()).as(output).isTrue();
        final long reads = Long.parseLong(issued.group(1));
        final long writes = Long.parseLong(issued.group(2));
        assertThat(writes).as(output).isGreaterThan(1000);
        assertThat(reads).as(output).isGreaterThanOrEqualTo(writes - 256);
        final String metrics = daemon.api.get("/metrics");
        assertThat(sum(metrics, "vplane_blk_upgrades_total\\{disk=\"vm\"")).isEqualTo(SWAPS);
        assertThat(sum(metrics, "vplane_nbd_request_errors_total\\{disk=\"vm\"")).as(metrics).isZero();
        assertThat(requeued).isNotNegative();
    }

    private static void kill(final Process peer) throws InterruptedException
    {
        if (null != peer)
        {
            peer.destroyForcibly();
            peer.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static String read(final Path file) throws IOException
    {
        return Files.readString(file, StandardCharsets.UTF_8);
    }

    private static long number(final String json, final String field)
    {
        final Matcher m = Pattern.compile("\"" + field + "\"\\s*:\\s*(\\d+)").matcher(json);
        assertThat(m.find()).as(json).isTrue();
        return Long.parseLong(m.group(1));
    }

    /** Sum of the Prometheus samples whose line starts with {@code prefix} (a regex). */
    private static long sum(final String metrics, final String prefix)
    {
        final Matcher m = Pattern.compile("(?m)^" + prefix + "[^}]*} (\\d+)").matcher(metrics);
        long sum = 0;
        while (m.find())
        {
            sum += Long.parseLong(m.group(1));
        }
        return sum;
    }
}
