package io.vplane.dist;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * kill -9 of the daemon under traffic, then a restart on the same config: NBD writes acknowledged
 * after a FLUSH, or with FUA, are on disk (qemu-io reads their patterns back), and a vhost-user
 * frontend in server mode (testpmd virtio-user {@code server=1}, the port in client mode) is
 * reconnected by the new daemon and its frames flow again, without restarting testpmd.
 */
@Timeout(value = 420, unit = TimeUnit.SECONDS)
class DaemonCrashIT
{
    private static final Pattern GUEST_TX = Pattern.compile("^vplane_vhost_frames_total\\{port=\"vm1\"[^}]*dir=\"guest_tx\"[^}]*} (\\d+)$",
        Pattern.MULTILINE);
    private static final Pattern NBD_REQUESTS = Pattern.compile("^vplane_nbd_requests_total\\{disk=\"d0\"[^}]*} (\\d+)$", Pattern.MULTILINE);

    @TempDir
    Path tmp;

    private PeerProcesses peers;
    private DaemonProcess daemon;
    private Path runDir;
    private int nbdPort;

    @AfterEach
    void stopAll() throws Exception
    {
        DaemonProcess.closeAll(daemon, peers);
    }

    @Test
    void shouldKeepAcknowledgedWritesAndReconnectTheFrontendAfterKillDashNine() throws Exception
    {
        peers = new PeerProcesses(tmp);
        runDir = tmp.resolve("run");
        Files.createDirectory(runDir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        nbdPort = PeerProcesses.freePort();
        final Path config = DaemonProcess.writePortAndDiskConfig(tmp, runDir, nbdPort, "client");
        final Process testpmd = peers.testpmdTxOnly("testpmd", runDir.resolve("vm1.sock") + ",server=1");

        daemon = DaemonProcess.start(config, runDir);
        awaitCounter(GUEST_TX, 1_000);

        final String uri = "nbd://127.0.0.1:" + nbdPort + "/d0";
        assertQemuIo(uri, "write -P 0xa1 0 1M", "flush");
        assertQemuIo(uri, "write -f -P 0xc3 1M 64k");
        // unacknowledged traffic in flight when the daemon dies: writes after the regions above
        final Process fio = peers.start("fio", "fio", "--name=crash", "--ioengine=nbd", "--uri=" + uri, "--rw=randwrite", "--bs=4k",
            "--iodepth=8", "--offset=2m", "--size=14m", "--time_based", "--runtime=60");
        awaitCounter(NBD_REQUESTS, 500);

        daemon.process.destroyForcibly();
        assertThat(daemon.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        fio.waitFor(30, TimeUnit.SECONDS);

        daemon = DaemonProcess.restart(config, runDir);
        awaitCounter(GUEST_TX, 1_000);
        assertThat(testpmd.isAlive()).as("testpmd was not restarted").isTrue();

        assertQemuIo(uri, "read -P 0xa1 0 1M", "read -P 0xc3 1M 64k");
        daemon.stopCleanly();
    }

    /** Runs qemu-io with the commands on the NBD export and requires success and no pattern mismatch. */
    private void assertQemuIo(final String uri, final String... commands) throws Exception
    {
        final List<String> argv = new ArrayList<>(List.of("qemu-io", "-f", "raw"));
        for (final String command : commands)
        {
            argv.add("-c");
            argv.add(command);
        }
        argv.add(uri);
        final Path log = Files.createTempFile(tmp, "qemu-io", ".log");
        final Process process = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        final boolean done = process.waitFor(60, TimeUnit.SECONDS);
        if (!done)
        {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        final String output = Files.readString(log);
        assertThat(done && 0 == process.exitValue()).as("%s:%n%s%n%s", argv, output, daemon.log()).isTrue();
        assertThat(output).as(String.join(" ", argv)).doesNotContain("Pattern verification failed").doesNotContain("error");
    }

    private void awaitCounter(final Pattern counter, final long atLeast) throws Exception
    {
        RawCounters.await(tmp, runDir, counter, n -> n >= atLeast, () -> daemon.log() + "\ntestpmd:\n" + readOrEmpty(tmp.resolve("testpmd.log")));
    }

    private static String readOrEmpty(final Path file)
    {
        try
        {
            return Files.readString(file);
        }
        catch (final IOException ex)
        {
            return "";
        }
    }
}
