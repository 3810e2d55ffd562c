package io.vplane.engine.daemon;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The run directory tried as another local user would, who got there first or can write into it. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RunDirectorySecurityTest
{
    @TempDir
    Path tmp;

    @Test
    void shouldCreateTheRunDirectoryForTheDaemonAlone() throws Exception
    {
        final Path run = tmp.resolve("run");
        try (Daemon ignored = Daemon.start(config(run)))
        {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(run, LinkOption.NOFOLLOW_LINKS))).isEqualTo("rwx------");
        }
    }

    @Test
    void shouldRefuseARunDirectoryOthersCanWrite() throws Exception
    {
        final Path run = Files.createDirectory(tmp.resolve("run"));
        Files.setPosixFilePermissions(run, PosixFilePermissions.fromString("rwxrwxrwx"));

        assertThatThrownBy(() -> Daemon.start(config(run))).hasMessageContaining("writable by group or others");
        assertThat(run).isEmptyDirectory();
    }

    @Test
    void shouldRefuseARunDirectoryOfAnotherUser() throws Exception
    {
        final Path run = Files.createDirectory(tmp.resolve("run"));
        Files.setAttribute(run, "unix:uid", 65534); // nobody; the tests run as root in CI

        assertThatThrownBy(() -> Daemon.start(config(run))).hasMessageContaining("belongs to uid 65534");
        assertThat(run).isEmptyDirectory();
    }

    @Test
    void shouldRefuseARunDirectoryThatIsALink() throws Exception
    {
        final Path elsewhere = Files.createDirectory(tmp.resolve("elsewhere"));
        final Path run = Files.createSymbolicLink(tmp.resolve("run"), elsewhere);

        assertThatThrownBy(() -> Daemon.start(config(run))).hasMessageContaining("symbolic link");
        assertThat(elsewhere).isEmptyDirectory();
    }

    @Test
    void shouldNotWriteThroughALinkPlantedAsThePidFile() throws Exception
    {
        final Path run = Files.createDirectory(tmp.resolve("run"));
        final Path victim = Files.writeString(tmp.resolve("victim"), "precious\n");
        Files.createSymbolicLink(run.resolve(RunDirectory.PID_FILE), victim);

        try (Daemon daemon = Daemon.start(config(run)))
        {
            assertThat(victim).hasContent("precious");
            assertThat(Files.isSymbolicLink(daemon.runDirectory().pidFile())).isFalse();
        }
    }

    @Test
    void shouldNotCreateOrLockTheTargetOfALinkPlantedAsTheLockFile() throws Exception
    {
        final Path run = Files.createDirectory(tmp.resolve("run"));
        final Path target = tmp.resolve("created-by-the-daemon");
        Files.createSymbolicLink(run.resolve(RunDirectory.LOCK_FILE), target);

        assertThatThrownBy(() -> Daemon.start(config(run))).hasMessageContaining("not a regular file");
        assertThat(target).doesNotExist();
    }

    private Path config(final Path run) throws Exception
    {
        return Files.writeString(tmp.resolve("vplane.yaml"), """
            daemon: {runDir: '%s', drainTimeoutMs: 1000}
            devices: {loopback: []}
            """.formatted(run));
    }
}
