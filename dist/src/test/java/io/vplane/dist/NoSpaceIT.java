package io.vplane.dist;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A disk whose image's file system fills up, end to end: the image (64 MiB, sparse) lies on a 4 MiB
 * tmpfs, and qemu-io over NBD writes more than fits. The writes past the space fail with ENOSPC (NBD's
 * "no space", which qemu reports as "No space left on device"), counted per disk under
 * {@code error="ENOSPC"} and logged once per repeat window, not per request; what was acknowledged
 * before stays readable, a rewrite of blocks that already have space succeeds, and the daemon stops
 * cleanly. Needs root to mount the tmpfs (CI runs as root).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class NoSpaceIT
{
    private static final Pattern NO_SPACE = Pattern.compile(
        "^vplane_nbd_request_errors_total\\{disk=\"full\"[^}]*error=\"ENOSPC\"} (\\d+)$", Pattern.MULTILINE);

    @TempDir
    Path tmp;

    private Path mount;
    private PeerProcesses peers;
    private DaemonProcess daemon;

    @BeforeEach
    void mountSmallFileSystem() throws Exception
    {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
            "ENOSPC test skipped: mounting the small tmpfs the image fills needs root");
        mount = Files.createDirectory(tmp.resolve("small"));
        assertThat(run("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", mount.toString())).isZero();
    }

    @AfterEach
    void unmount() throws Exception
    {
        DaemonProcess.closeAll(daemon, peers);
        if (null != mount)
        {
            run("umount", "-l", mount.toString());
        }
    }

    @Test
    void shouldAnswerEnospcCountItLogItOnceAndKeepWhatWasWritten() throws Exception
    {
        peers = new PeerProcesses(tmp);
        final Path runDir = tmp.resolve("run");
        final int nbdPort = PeerProcesses.freePort();
        final Path config = tmp.resolve("vplane.yaml");
        Files.writeString(config, """
            daemon: {runDir: %s, imageDirs: [%s], drainTimeoutMs: 3000}
            nbd:
              port: %d
              tenants:
                - {name: local, allow: [127.0.0.0/8]}
              disks:
                - {name: full, image: full.img, sizeBytes: 67108864, tenant: local}
            """.formatted(runDir, mount, nbdPort));
        daemon = DaemonProcess.start(config, runDir);
        final String uri = "nbd://127.0.0.1:" + nbdPort + "/full";

        final String kept = qemuIo("kept", uri, "write -P 0x5a 0 1M");
        assertThat(kept).doesNotContain("failed");
        final String overflow = qemuIo("overflow", uri, "write -P 0x6b 8M 8M", "write -P 0x6b 24M 8M", "write -P 0x6b 40M 8M");
        assertThat(overflow).contains("No space left on device");

        final String afterwards = qemuIo("afterwards", uri, "read -P 0x5a 0 1M", "write -P 0x7c 0 64k", "read -P 0x7c 0 64k");
        assertThat(afterwards).doesNotContain("failed").doesNotContain("Pattern verification failed");
        final long counted = RawCounters.await(tmp, runDir, NO_SPACE, n -> n >= 1, daemon::log);
        final Matcher lines = Pattern.compile("nbd/io: full: WRITE at \\d+\\+\\d+: ").matcher(daemon.log());
        int logged = 0;
        while (lines.find())
        {
            logged++;
        }
        System.out.printf("ENOSPC replies counted %d, logged %d line(s)%n", counted, logged);
        assertThat(logged).as(daemon.log()).isEqualTo(1);
        assertThat(counted).isGreaterThanOrEqualTo(3); // one per failed qemu-io write at least
        daemon.stopCleanly();
    }

    private String qemuIo(final String name, final String uri, final String... commands) throws Exception
    {
        final String[] command = new String[4 + 2 * commands.length];
        command[0] = "qemu-io";
        command[1] = "-f";
        command[2] = "raw";
        for (int i = 0; i < commands.length; i++)
        {
            command[3 + 2 * i] = "-c";
            command[4 + 2 * i] = commands[i];
        }
        command[command.length - 1] = uri;
        final Process process = peers.start(name, command);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as(name).isTrue();
        return Files.readString(tmp.resolve(name + ".log"));
    }

    private static int run(final String... command) throws Exception
    {
        final Process process = new ProcessBuilder(command).inheritIO().start();
        return process.waitFor(30, TimeUnit.SECONDS) ? process.exitValue() : -1;
    }
}
