package io.vplane.dist;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code bin/vplane ctl disk create|list|resize|delete} against {@code bin/vplane run}, checked with
 * nbdinfo; then a disk added and one removed by editing the config file and sending SIGHUP.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class DiskCtlEndToEndIT
{
    @TempDir
    Path tmp;

    private DaemonProcess daemon;
    private Path runDir;
    private int nbdPort;

    @AfterEach
    void stopDaemon() throws Exception
    {
        if (null != daemon)
        {
            daemon.close();
        }
    }

    @Test
    void shouldCreateListResizeAndDeleteDisksWithCtlAndReloadThemFromTheFile() throws Exception
    {
        final Path config = tmp.resolve("vplane.yaml");
        runDir = tmp.resolve("run");
        nbdPort = freePort();
        Files.writeString(config, config("""
                - {name: base, image: base.img, sizeBytes: 1048576, tenant: local}
            """));
        daemon = DaemonProcess.start(config, runDir);

        final VplaneProcess.Result create = ctl("disk", "create", "--name", "d1", "--size", "10M", "--queues", "2",
            "--description", "from ctl");
        assertThat(create.exitCode()).as(create.output()).isZero();
        assertThat(create.output()).containsPattern("d1 +10485760 +\\(10 MiB\\) +local +2 +no +0 ");
        assertThat(nbdinfo("nbd://127.0.0.1:" + nbdPort + "/d1")).contains("export-size: 10485760").contains("from ctl");

        final VplaneProcess.Result list = ctl("disk", "list");
        assertThat(list.exitCode()).as(list.output()).isZero();
        assertThat(list.output()).contains("NAME").containsPattern("base +1048576 ").containsPattern("d1 +10485760 ")
            .contains(runDir.resolve("d1.img").toString());

        final VplaneProcess.Result duplicate = ctl("disk", "create", "--name", "d1", "--size", "1M");
        assertThat(duplicate.exitCode()).isEqualTo(1);
        assertThat(duplicate.output()).contains("vplane ctl: ").contains("d1 is already running");
        final VplaneProcess.Result badSize = ctl("disk", "create", "--name", "d2", "--size", "ten");
        assertThat(badSize.exitCode()).isEqualTo(1);
        assertThat(badSize.output()).contains("size 'ten' is not a size");

        final VplaneProcess.Result resize = ctl("disk", "resize", "--name", "d1", "--size", "20M");
        assertThat(resize.exitCode()).as(resize.output()).isZero();
        assertThat(resize.output()).contains("resized d1: 10485760 -> 20971520 bytes (20 MiB)");
        assertThat(nbdinfo("nbd://127.0.0.1:" + nbdPort + "/d1")).contains("export-size: 20971520");

        final VplaneProcess.Result delete = ctl("disk", "delete", "--name", "d1", "--delete-image");
        assertThat(delete.exitCode()).as(delete.output()).isZero();
        assertThat(delete.output()).contains("deleted d1").contains("deleted)");
        assertThat(runDir.resolve("d1.img")).doesNotExist();
        final VplaneProcess.Result unknown = ctl("disk", "delete", "--name", "d1");
        assertThat(unknown.exitCode()).isEqualTo(1);
        assertThat(unknown.output()).contains("no disk named 'd1'");

        Files.writeString(config, config("""
                - {name: fresh, image: fresh.img, sizeBytes: 2097152, tenant: local}
            """));
        daemon.reload();
        awaitList("fresh", "base");
        assertThat(nbdinfo("nbd://127.0.0.1:" + nbdPort + "/fresh")).contains("export-size: 2097152");

        daemon.stopCleanly();
    }

    private String config(final String disks)
    {
        return """
            daemon: {runDir: %s, imageDirs: [%s], drainTimeoutMs: 3000}
            pools:
              blk: {workers: 1}
            nbd:
              port: %d
              tenants:
                - {name: local, allow: [127.0.0.0/8, "::1/128"]}
              disks:
            %s""".formatted(runDir, runDir, nbdPort, disks);
    }

    private VplaneProcess.Result ctl(final String... args) throws Exception
    {
        final List<String> command = new java.util.ArrayList<>(List.of(args));
        command.add(2, "--run-dir");
        command.add(3, runDir.toString());
        command.addFirst("ctl");
        return VplaneProcess.run(tmp, command.toArray(String[]::new));
    }

    /** Waits until {@code ctl disk list} shows {@code present} and not {@code absent}. */
    private void awaitList(final String present, final String absent) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true)
        {
            final String list = ctl("disk", "list").output();
            if (list.contains(present + " ") && !list.contains(absent + " "))
            {
                return;
            }
            assertThat(System.nanoTime() - deadline).as("disk list never showed %s without %s:%n%s%n%s", present, absent, list, daemon.log())
                .isNegative();
            Thread.sleep(200);
        }
    }

    private String nbdinfo(final String uri) throws Exception
    {
        final Process process;
        try
        {
            process = new ProcessBuilder("nbdinfo", uri).redirectErrorStream(true).start();
        }
        catch (final IOException ex)
        {
            throw new AssertionError("cannot run nbdinfo (apt-get install libnbd-bin): " + ex.getMessage(), ex);
        }
        process.getOutputStream().close();
        if (!process.waitFor(30, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            throw new AssertionError("nbdinfo " + uri + " did not finish in 30 s\n" + daemon.log());
        }
        final String output = new String(process.getInputStream().readAllBytes());
        assertThat(process.exitValue()).as("nbdinfo %s:%n%s%n%s", uri, output, daemon.log()).isZero();
        return output;
    }

    private static int freePort() throws IOException
    {
        try (ServerSocket socket = new ServerSocket(0))
        {
            return socket.getLocalPort();
        }
    }
}
