package io.vplane.dist;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
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
    private static final Path TESTPMD = Path.of("/usr/bin/dpdk-testpmd");
    private static final Pattern GUEST_TX = Pattern.compile("^vplane_vhost_frames_total\\{port=\"vm1\"[^}]*dir=\"guest_tx\"[^}]*} (\\d+)$",
        Pattern.MULTILINE);
    private static final Pattern NBD_REQUESTS = Pattern.compile("^vplane_nbd_requests_total\\{disk=\"d0\"[^}]*} (\\d+)$", Pattern.MULTILINE);

    @TempDir
    Path tmp;

    private final List<Process> peers = new ArrayList<>();
    private DaemonProcess daemon;
    private Path runDir;
    private int nbdPort;

    @AfterEach
    void stopAll() throws Exception
    {
        if (null != daemon)
        {
            daemon.close();
        }
        for (final Process peer : peers.reversed())
        {
            peer.descendants().forEach(ProcessHandle::destroyForcibly);
            peer.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void shouldKeepAcknowledgedWritesAndReconnectTheFrontendAfterKillDashNine() throws Exception
    {
        runDir = tmp.resolve("run");
        Files.createDirectory(runDir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        nbdPort = freePort();
        final Path config = tmp.resolve("vplane.yaml");
        Files.writeString(config, """
            daemon: {runDir: %s, imageDirs: [%s], drainTimeoutMs: 3000}
            devices:
              vhostUser:
                - {name: vm1, socketPath: vm1.sock, mode: client}
            nbd:
              port: %d
              tenants:
                - {name: local, allow: [127.0.0.0/8]}
              disks:
                - {name: d0, image: d0.img, sizeBytes: 16777216, tenant: local}
            """.formatted(runDir, tmp, nbdPort));
        assertThat(TESTPMD).as("install the Debian package dpdk").isExecutable();
        final Process testpmd = peer("testpmd", "timeout", "-s", "KILL", "400", TESTPMD.toString(),
            "--no-pci", "--no-huge", "-m", "1024", "-l", "0,1", "--main-lcore", "1",
            "--file-prefix=vplane-crash-" + ProcessHandle.current().pid(),
            "--vdev", "net_virtio_user0,path=" + runDir.resolve("vm1.sock") + ",server=1",
            "--", "--total-num-mbufs=16384", "--forward-mode=txonly", "-a", "--stats-period=1");

        daemon = DaemonProcess.start(config, runDir);
        awaitCounter(GUEST_TX, 1_000);

        final String uri = "nbd://127.0.0.1:" + nbdPort + "/d0";
        assertQemuIo(uri, "write -P 0xa1 0 1M", "flush");
        assertQemuIo(uri, "write -f -P 0xc3 1M 64k");
        // unacknowledged traffic in flight when the daemon dies: writes after the regions above
        final Process fio = peer("fio", "fio", "--name=crash", "--ioengine=nbd", "--uri=" + uri, "--rw=randwrite", "--bs=4k",
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

    private Process peer(final String name, final String... command) throws IOException
    {
        final Process process = new ProcessBuilder(command).redirectErrorStream(true)
            .redirectOutput(tmp.resolve(name + ".log").toFile()).start();
        peers.add(process);
        return process;
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

    /** Waits until the counters the pattern picks (from {@code vplane stat --raw}) add up to at least {@code atLeast}. */
    private void awaitCounter(final Pattern counter, final long atLeast) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true)
        {
            final VplaneProcess.Result raw = VplaneProcess.run(tmp, "stat", "--raw", "--run-dir", runDir.toString());
            long sum = 0;
            final Matcher matcher = counter.matcher(raw.output());
            while (matcher.find())
            {
                sum += Long.parseLong(matcher.group(1));
            }
            if (sum >= atLeast)
            {
                return;
            }
            assertThat(System.nanoTime() - deadline).as("%s stayed at %d:%n%s%n%s%ntestpmd:%n%s", counter, sum, raw.output(),
                daemon.log(), Files.readString(tmp.resolve("testpmd.log"))).isNegative();
            Thread.sleep(300);
        }
    }

    private static int freePort() throws IOException
    {
        try (ServerSocket socket = new ServerSocket(0))
        {
            return socket.getLocalPort();
        }
    }
}
