package io.vplane.vsock.control;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The agent's process runtime on this machine's real cgroups (v1 or v2, whichever is mounted) and
 * loop-mounted ext4 files: limits read back from the cgroup files, a process over its limit killed
 * by the kernel's OOM killer, a full filesystem answering ENOSPC, a resize that keeps the files, a
 * scale-down that leaves no cgroup or mount, and a restarted runtime finding what runs. Needs root
 * (cgroups, mount, loop devices); skips, saying so, without.
 */
@Timeout(120)
class ProcessRuntimeIT
{
    private static final String CGROUP = "vplane-it-" + ProcessHandle.current().pid();
    /** "hog" containers take 64 MiB at once (dd's buffer); the others sleep. */
    private static final List<String> COMMAND = List.of("/bin/sh", "-c",
        "case $VPLANE_TARGET in hog) sleep 0.3; exec dd if=/dev/zero of=/dev/null bs=64M count=1;; *) exec sleep 2147483647;; esac");

    @TempDir
    Path dir;

    private ProcessRuntime runtime;

    @BeforeEach
    void needRoot() throws IOException
    {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
            "the process runtime needs root (cgroup files, mount, loop devices); run as root as CI does");
        runtime = new ProcessRuntime(dir.resolve("state"), CGROUP, COMMAND);
        System.out.println("ProcessRuntimeIT: " + runtime.cgroups());
    }

    @AfterEach
    void removeContainers()
    {
        if (null != runtime)
        {
            for (final String target : List.of("web", "hog"))
            {
                runtime.scale(target, 0);
            }
            runtime.removeCgroup();
        }
    }

    @Test
    void shouldRunLimitResizeAndRemoveProcessTreesInTheirOwnCgroups() throws Exception
    {
        runtime.memory("web", 32L << 20);
        runtime.storage("web", 8L << 20);
        runtime.scale("web", 2);
        assertThat(runtime.containers("web")).containsExactly(1, 2);
        for (final int n : List.of(1, 2))
        {
            assertThat(runtime.memoryLimit("web", n)).as("web.%d's cgroup file", n).isEqualTo(32L << 20);
            final List<Long> pids = runtime.pids("web", n);
            assertThat(pids).hasSize(1);
            assertThat(commandLine(pids.getFirst())).startsWith("sleep");
            assertThat(Files.readString(Path.of("/proc/" + pids.getFirst() + "/cgroup"))).contains(CGROUP + "/web." + n);
        }
        runtime.memory("web", 48L << 20);
        assertThat(runtime.memoryLimit("web", 2)).as("changed on a running container").isEqualTo(48L << 20);

        // the filesystem of 8 MiB is full before 8 MiB are written
        final Path fill = runtime.data("web", 1).resolve("fill");
        assertThatThrownBy(() -> write(fill, 16L << 20)).isInstanceOf(IOException.class).hasMessageContaining("No space left on device");
        final long filled = Files.size(fill);
        assertThat(filled).isBetween(4L << 20, 8L << 20);

        // a larger size: the container is started again with its files, and room for more
        final long before = runtime.pids("web", 1).getFirst();
        runtime.storage("web", 24L << 20);
        assertThat(runtime.pids("web", 1)).hasSize(1).doesNotContain(before);
        assertThat(Files.size(fill)).isEqualTo(filled);
        write(runtime.data("web", 1).resolve("more"), 8L << 20);
        assertThatThrownBy(() -> runtime.storage("web", 4L << 20)).as("below what its files need").hasMessageContaining("resize2fs");
        assertThat(runtime.pids("web", 1)).as("running again after the refusal").hasSize(1);

        // over its limit, the kernel kills it
        runtime.memory("hog", 16L << 20);
        runtime.scale("hog", 1);
        final long deadline = System.nanoTime() + 20_000_000_000L;
        while (!runtime.pids("hog", 1).isEmpty())
        {
            assertThat(System.nanoTime() - deadline).as("the hog is killed").isNegative();
            Thread.sleep(20);
        }
        assertThat(runtime.oomKills("hog", 1)).as("killed by the OOM killer").isPositive();

        // scaling down removes the tree, its cgroup and its filesystem
        final Path data2 = runtime.data("web", 2);
        runtime.scale("web", 1);
        assertThat(runtime.containers("web")).containsExactly(1);
        assertThat(Files.readString(Path.of("/proc/self/mountinfo"))).doesNotContain(data2.toString());

        // a restarted runtime finds what runs, and starts new ones with the targets' limits
        final ProcessRuntime restarted = new ProcessRuntime(dir.resolve("state"), CGROUP, COMMAND);
        assertThat(restarted.containers("web")).containsExactly(1);
        assertThat(restarted.containers("hog")).containsExactly(1);
        restarted.scale("web", 2);
        assertThat(restarted.memoryLimit("web", 2)).isEqualTo(48L << 20);
        assertThat(Files.getFileStore(restarted.data("web", 2)).getTotalSpace()).isGreaterThan(16L << 20);
        assertThatThrownBy(() -> restarted.scale("../etc", 1)).isInstanceOf(IllegalArgumentException.class);
    }

    private static void write(final Path file, final long bytes) throws IOException
    {
        final ByteBuffer chunk = ByteBuffer.allocate(1 << 16);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND))
        {
            for (long written = 0; written < bytes; written += chunk.capacity())
            {
                channel.write(chunk.clear());
                channel.force(false);
            }
        }
    }

    /** The process's command line once it has become its command: read during the shell's exec it is empty. */
    private static String commandLine(final long pid) throws IOException, InterruptedException
    {
        final Path file = Path.of("/proc/" + pid + "/cmdline");
        String line = Files.readString(file);
        for (int i = 0; i < 100 && (line.isEmpty() || line.startsWith("/bin/sh")); i++)
        {
            Thread.sleep(20);
            line = Files.readString(file);
        }
        return line;
    }
}
