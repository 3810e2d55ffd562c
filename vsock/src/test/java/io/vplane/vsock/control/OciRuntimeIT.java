package io.vplane.vsock.control;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The agent's OCI runtime with runc (peer: bin/peers installs it) and a busybox-static root
 * filesystem made here: commands from the host's control service over a Unix socket create,
 * start, update, exec into, kill and delete real containers; the limits are read back from inside
 * them (their cgroup's memory limit, their {@code /data} mount). An agent restarted on the same
 * state finds the running containers. Needs root (namespaces, cgroups); skips, saying so, without.
 */
@Timeout(120)
class OciRuntimeIT
{
    private static final byte[] SECRET = "vm0-secret-0123456789".getBytes(StandardCharsets.UTF_8);
    private static final String RUNC = "runc";

    @TempDir
    Path dir;

    private Path state;
    private Path rootfs;

    @BeforeEach
    void rootFilesystem() throws IOException, InterruptedException
    {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
            "OCI containers need root (namespaces, cgroups); run as root as CI does");
        assertThat(Path.of("/bin/busybox")).as("busybox-static (bin/peers)").exists();
        assertThat(new ProcessBuilder(RUNC, "--version").start().waitFor()).as("runc (bin/peers)").isZero();
        state = dir.resolve("state");
        rootfs = dir.resolve("rootfs");
        for (final String mountPoint : List.of("bin", "proc", "dev", "sys", "tmp", "data"))
        {
            Files.createDirectories(rootfs.resolve(mountPoint));
        }
        Files.copy(Path.of("/bin/busybox"), rootfs.resolve("bin/busybox"));
        for (final String applet : List.of("sh", "sleep", "cat", "mount"))
        {
            Files.createSymbolicLink(rootfs.resolve("bin").resolve(applet), Path.of("busybox"));
        }
    }

    @AfterEach
    void removeContainers() throws IOException, InterruptedException
    {
        if (null == state || !Files.isDirectory(state.resolve("runtime")))
        {
            return;
        }
        final Process list = new ProcessBuilder(RUNC, "--root", state.resolve("runtime").toString(), "list", "-q").start();
        final List<String> ids = new String(list.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        list.waitFor();
        for (final String id : ids)
        {
            new ProcessBuilder(RUNC, "--root", state.resolve("runtime").toString(), "delete", "--force", id).inheritIO().start().waitFor();
        }
    }

    private OciRuntime runtime() throws IOException
    {
        return new OciRuntime(RUNC, state, rootfs, List.of("/bin/sleep", "2147483647"));
    }

    private static void await(final ControlService service, final int commands) throws InterruptedException
    {
        final long deadline = System.nanoTime() + 60_000_000_000L;
        while (service.commands().size() < commands || !service.commands().stream().allMatch(c -> c.state().finished()))
        {
            assertThat(System.nanoTime() - deadline).as("every command has a result").isNegative();
            Thread.sleep(20);
        }
    }

    /** The memory limit a container's own cgroup shows, v1 or v2. */
    private static long memoryLimit(final OciRuntime runtime, final int n)
    {
        final String text = runtime.exec("web", n, List.of(), "/bin/sh", "-c",
            "cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes");
        return Long.parseLong(text.strip());
    }

    private static String dataMount(final OciRuntime runtime, final int n)
    {
        return runtime.exec("web", n, List.of(), "/bin/cat", "/proc/mounts").lines().filter(l -> l.contains(" /data ")).findFirst()
            .orElseThrow();
    }

    @Test
    void shouldRunScaleAndLimitRealContainersFromHostCommands() throws Exception
    {
        final OciRuntime runtime = runtime();
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)
                .bind(UnixDomainSocketAddress.of(dir.resolve("agent.sock")));
             AppliedJournal journal = new AppliedJournal(dir.resolve("agent.journal"));
             ContainerAgent agent = new ContainerAgent(server, SECRET, runtime, journal, 4).start();
             ControlService service = new ControlService(dir.resolve("commands.journal"),
                 Map.of("vm0", new ControlService.Vm(ControlTransport.unix(dir.resolve("agent.sock")), SECRET))))
        {
            service.submit("vm0", ControlFrame.OP_SCALE, "web", 2);
            service.submit("vm0", ControlFrame.OP_MEMORY, "web", 32L << 20);
            service.submit("vm0", ControlFrame.OP_STORAGE, "web", 2L << 20);
            service.submit("vm0", ControlFrame.OP_SCALE, "web", 3);
            service.submit("vm0", ControlFrame.OP_STORAGE, "web", 4096);
            await(service, 5);
            assertThat(service.commands()).extracting(CommandJournal.Entry::state)
                .as("reasons: %s", service.commands().stream().map(CommandJournal.Entry::reason).toList()).containsExactly(
                CommandJournal.State.APPLIED, CommandJournal.State.APPLIED, CommandJournal.State.APPLIED,
                CommandJournal.State.APPLIED, CommandJournal.State.FAILED);
            assertThat(service.commands().getLast().reason()).contains("at least");

            assertThat(runtime.containers("web")).containsExactly(1, 2, 3);
            for (final int n : List.of(1, 2, 3))
            {
                assertThat(memoryLimit(runtime, n)).as("container %d's cgroup", n).isEqualTo(32L << 20);
                assertThat(dataMount(runtime, n)).as("container %d's /data", n).contains("size=2048k");
            }
            assertThat(runtime.exec("web", 1, List.of(), "/bin/cat", "/proc/1/cmdline")).as("its own pid namespace")
                .startsWith("/bin/sleep");

            service.submit("vm0", ControlFrame.OP_SCALE, "web", 1);
            await(service, 6);
            assertThat(service.command(6).state()).isEqualTo(CommandJournal.State.APPLIED);
            assertThat(runtime.containers("web")).containsExactly(1);
        }

        // a restarted agent finds the container that runs and creates new ones with the target's limits
        final OciRuntime restarted = runtime();
        assertThat(restarted.containers("web")).containsExactly(1);
        restarted.scale("web", 2);
        assertThat(restarted.containers("web")).containsExactly(1, 2);
        assertThat(memoryLimit(restarted, 2)).isEqualTo(32L << 20);
        assertThat(dataMount(restarted, 2)).contains("size=2048k");
        assertThatThrownBy(() -> restarted.scale("../etc", 1)).isInstanceOf(IllegalArgumentException.class);
        restarted.scale("web", 0);
        assertThat(restarted.containers("web")).isEmpty();
    }
}
