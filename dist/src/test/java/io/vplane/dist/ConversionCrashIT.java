package io.vplane.dist;

import io.vplane.engine.management.ManagementClient;
import io.vplane.engine.management.ManagementClientException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An online conversion (qcow2 source into the disk's raw image) and the faults it must survive, with
 * {@code bin/vplane run} as a process: kill -9 while the copier runs, then a restart on the same
 * config resumes from the map beside the target and no write acknowledged before the kill (after a
 * flush, or with FUA) is lost; and a target on a full file system (a 6 MiB tmpfs, root only), where
 * the copier stops with a clear error, one count and one log line while the disk goes on serving
 * from source and target, everything written before still there.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ConversionCrashIT
{
    private static final long SIZE = 32L << 20;
    private static final Pattern STATE = Pattern.compile("\"state\"\\s*:\\s*\"(\\w+)\"");
    private static final Pattern DONE_BYTES = Pattern.compile("\"bytesDone\"\\s*:\\s*(\\d+)");

    @TempDir
    Path tmp;

    private PeerProcesses peers;
    private DaemonProcess daemon;
    private Path runDir;
    private Path mount;
    private String uri;

    @BeforeEach
    void makeSource() throws Exception
    {
        peers = new PeerProcesses(tmp);
        runDir = tmp.resolve("run");
        // The source: 16 MiB of 0x11 then 16 MiB of 0x22, all allocated in the qcow2.
        run("qemu-img", "create", "-q", "-f", "qcow2", tmp.resolve("src.qcow2").toString(), Long.toString(SIZE));
        run("qemu-io", "-f", "qcow2", "-c", "write -P 0x11 0 16M", "-c", "write -P 0x22 16M 16M", tmp.resolve("src.qcow2").toString());
    }

    @AfterEach
    void stopAll() throws Exception
    {
        DaemonProcess.closeAll(daemon, peers);
        if (null != mount)
        {
            run("umount", "-l", mount.toString());
        }
    }

    @Test
    void shouldResumeAfterKillDashNineAndKeepEveryAcknowledgedWrite() throws Exception
    {
        final Path config = config("vm.raw");
        daemon = DaemonProcess.start(config, runDir);
        api().post("/disk/convert", "{\"name\":\"vm\",\"from\":\"qcow2:src.qcow2\",\"rateBytesPerSec\":\"4M\"}");
        awaitDoneBytes(3L << 20);
        // Acknowledged: into a copied chunk, across uncopied chunks (filled from the source first), with FUA; then a flush.
        final String[] writes = {"write -P 0xa1 1M 64k", "write -P 0xa2 20M 1088k", "write -f -P 0xa3 30M 4k"};
        qemuIo("writes", uri, writes[0], writes[1], writes[2], "flush");
        assertThat(state()).as("the daemon is killed while the copier runs").isEqualTo("copying");

        daemon.process.destroyForcibly();
        assertThat(daemon.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(tmp.resolve("vm.raw.convert-map")).exists();
        daemon = DaemonProcess.restart(config, runDir);
        awaitApi();
        awaitState("done", 60);

        assertThat(tmp.resolve("vm.raw.convert-map")).doesNotExist();
        qemuIo("read-back", uri, "read -P 0xa1 1M 64k", "read -P 0xa2 20M 1088k", "read -P 0xa3 30M 4k", "read -P 0x11 0 1M",
            "read -P 0x22 16M 4M");
        final Path expected = tmp.resolve("expected.raw");
        run("qemu-img", "convert", "-f", "qcow2", "-O", "raw", tmp.resolve("src.qcow2").toString(), expected.toString());
        run("qemu-io", "-f", "raw", "-c", writes[0], "-c", writes[1], "-c", writes[2], expected.toString());
        assertThat(run("qemu-img", "compare", "-f", "raw", "-F", "raw", expected.toString(), tmp.resolve("vm.raw").toString()))
            .contains("Images are identical");
        daemon.stopCleanly();
        assertThat(daemon.log()).contains("resuming the conversion from qcow2:src.qcow2");
    }

    @Test
    void shouldStopOnAFullTargetWithOneErrorAndKeepServing() throws Exception
    {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
            "ENOSPC test skipped: mounting the small tmpfs the target fills needs root");
        mount = Files.createDirectory(tmp.resolve("small"));
        run("mount", "-t", "tmpfs", "-o", "size=6m", "tmpfs", mount.toString());
        final Path config = config("vm.raw");
        daemon = DaemonProcess.start(config, runDir);
        api().post("/disk/convert", "{\"name\":\"vm\",\"from\":\"qcow2:src.qcow2\",\"to\":\"raw:small/vm.raw\",\"rateBytesPerSec\":\"8M\"}");
        awaitDoneBytes(2L << 20);
        qemuIo("kept", uri, "write -P 0xb1 1M 64k", "flush");

        final String failed = awaitState("failed", 60);
        assertThat(failed).contains("the target is full (ENOSPC)").contains("run the same convert command to resume");
        assertThat(number(api().get("/metrics"), "vplane_errors_total\\{component=\"convert\",error=\"ENOSPC\"")).isEqualTo(1);
        final Matcher lines = Pattern.compile("conversion stopped: the target is full").matcher(daemon.log());
        int logged = 0;
        while (lines.find())
        {
            logged++;
        }
        assertThat(logged).as(daemon.log()).isEqualTo(1);
        // Still served: the acknowledged write from the target, the rest from the source.
        qemuIo("served", uri, "read -P 0xb1 1M 64k", "read -P 0x11 0 1M", "read -P 0x11 12M 4M", "read -P 0x22 16M 16M");
        assertThat(api().get("/disk/show?name=vm")).contains("\"failed\"");
        daemon.stopCleanly();
    }

    private Path config(final String image) throws Exception
    {
        final int nbdPort = PeerProcesses.freePort();
        uri = "nbd://127.0.0.1:" + nbdPort + "/vm";
        final Path config = tmp.resolve("vplane.yaml");
        Files.writeString(config, """
            daemon: {runDir: %s, imageDirs: [%s], drainTimeoutMs: 3000}
            nbd:
              port: %d
              tenants:
                - {name: local, allow: [127.0.0.0/8]}
              disks:
                - {name: vm, image: %s, sizeBytes: %d, tenant: local}
            """.formatted(runDir, tmp, nbdPort, image, SIZE));
        return config;
    }

    private ManagementClient api()
    {
        return new ManagementClient(daemon.url);
    }

    private String status()
    {
        return api().get("/disk/convert/status?name=vm");
    }

    private String state()
    {
        final Matcher m = STATE.matcher(status());
        assertThat(m.find()).isTrue();
        return m.group(1);
    }

    /** After a restart the killed daemon's socket file is there before the new one listens on it. */
    private void awaitApi() throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true)
        {
            try
            {
                status();
                return;
            }
            catch (final ManagementClientException ex)
            {
                assertThat(System.nanoTime() - deadline).as(ex.getMessage() + "\n" + daemon.log()).isNegative();
                TimeUnit.MILLISECONDS.sleep(100);
            }
        }
    }

    private void awaitDoneBytes(final long atLeast) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        String last = status();
        for (Matcher m = DONE_BYTES.matcher(last); !m.find() || Long.parseLong(m.group(1)) < atLeast; m = DONE_BYTES.matcher(last))
        {
            assertThat(System.nanoTime() - deadline).as(last).isNegative();
            TimeUnit.MILLISECONDS.sleep(50);
            last = status();
        }
    }

    /** Waits for the conversion to reach {@code wanted} and not any other end; @return the last status */
    private String awaitState(final String wanted, final long seconds) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        String last = status();
        while (!last.contains("\"" + wanted + "\""))
        {
            assertThat(last).as(daemon.log()).doesNotContain("\"failed\"", "\"done\"", "\"paused\"");
            assertThat(System.nanoTime() - deadline).as(last).isNegative();
            TimeUnit.MILLISECONDS.sleep(100);
            last = status();
        }
        return last;
    }

    /** qemu-io on the export; fails unless every command succeeds and every pattern matches. */
    private void qemuIo(final String name, final String export, final String... commands) throws Exception
    {
        final List<String> argv = new ArrayList<>(List.of("qemu-io", "-f", "raw"));
        for (final String command : commands)
        {
            argv.add("-c");
            argv.add(command);
        }
        argv.add(export);
        final Process process = peers.start(name, argv.toArray(String[]::new));
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as(name).isTrue();
        final String output = Files.readString(tmp.resolve(name + ".log"));
        assertThat(output).as(String.join(" ", argv)).doesNotContain("failed").doesNotContain("Pattern verification");
        assertThat(process.exitValue()).as(output).isZero();
    }

    private static long number(final String metrics, final String prefix)
    {
        final Matcher m = Pattern.compile("(?m)^" + prefix + "[^}]*} (\\d+)").matcher(metrics);
        long sum = 0;
        while (m.find())
        {
            sum += Long.parseLong(m.group(1));
        }
        return sum;
    }

    private static String run(final String... command) throws Exception
    {
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().close();
        final String output = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(String.join(" ", command) + ":\n" + output).isZero();
        return output;
    }
}
