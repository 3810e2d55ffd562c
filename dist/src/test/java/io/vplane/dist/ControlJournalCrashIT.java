package io.vplane.dist;

import io.vplane.vsock.control.AppliedJournal;
import io.vplane.vsock.control.ContainerAgent;
import io.vplane.vsock.control.InMemoryRuntime;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * kill -9 of the daemon (bin/vplane, with the JVM flags of bin/jvm.options) holding container
 * commands it accepted but could not send yet (the VM's agent is not up): the restarted daemon
 * finds every one in its Chronicle Queue journal and sends them, and the agent applies each once,
 * in order.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ControlJournalCrashIT
{
    private static final String SECRET = "a-secret-of-vm0-0123456789";
    private static final int COMMANDS = 5;

    @TempDir
    Path tmp;

    private DaemonProcess daemon;

    @AfterEach
    void stop() throws Exception
    {
        DaemonProcess.closeAll(daemon, null);
    }

    @Test
    void shouldSendEveryQueuedCommandOnceAfterTheDaemonWasKilled() throws Exception
    {
        final Path runDir = Files.createDirectory(tmp.resolve("run"),
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        final Path stateDir = Files.createDirectory(tmp.resolve("state"));
        Files.writeString(stateDir.resolve("vm0.secret"), SECRET);
        Files.setPosixFilePermissions(stateDir.resolve("vm0.secret"), PosixFilePermissions.fromString("rw-------"));
        final Path agentSocket = tmp.resolve("agent.sock");
        final Path config = Files.writeString(tmp.resolve("vplane.yaml"), """
            daemon: {runDir: %s, stateDir: %s}
            control:
              vms:
                - {name: vm0, transport: unix, path: %s, secretFile: vm0.secret}
            """.formatted(runDir, stateDir, agentSocket));

        daemon = DaemonProcess.start(config, runDir);
        final List<String> wanted = new ArrayList<>();
        for (int count = 1; count <= COMMANDS; count++)
        {
            final VplaneProcess.Result queued = ctl("scale", "vm0", "--target", "web", "--count", Integer.toString(count));
            assertThat(queued.exitCode()).as(queued.output()).isZero();
            assertThat(queued.output()).contains("command " + count + " (scale web " + count + " in vm0): queued");
            wanted.add("scale web " + count);
        }
        daemon.process.destroyForcibly();
        assertThat(daemon.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(stateDir.resolve("control.journal")).as("a Chronicle Queue directory").isDirectory();

        final InMemoryRuntime runtime = new InMemoryRuntime();
        try (ContainerAgent agent = new ContainerAgent(ServerSocketChannel.open(StandardProtocolFamily.UNIX)
                .bind(UnixDomainSocketAddress.of(agentSocket)), SECRET.getBytes(), runtime,
            new AppliedJournal(tmp.resolve("agent.journal")), 4).start())
        {
            daemon = DaemonProcess.restart(config, runDir);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (runtime.applied().size() < COMMANDS && System.nanoTime() - deadline < 0)
            {
                Thread.sleep(50);
            }
            assertThat(runtime.applied()).as(daemon.log()).containsExactlyElementsOf(wanted);
            VplaneProcess.Result status;
            do
            {
                Thread.sleep(50);
                status = ctl("status");
            }
            while ((status.output().contains(" queued ") || status.output().contains(" sent ")) && System.nanoTime() - deadline < 0);
            assertThat(status.output().lines().filter(line -> line.contains("applied")).count()).as(status.output())
                .isEqualTo(COMMANDS);
            final VplaneProcess.Result more = ctl("scale", "vm0", "--target", "web", "--count", "9");
            assertThat(more.output()).as("ids continue after the journal's last").contains("command " + (COMMANDS + 1) + " ");
            daemon.stopCleanly();
            // Chronicle's complaints when a JVM flag it needs is missing
            assertThat(daemon.log()).doesNotContain("Make sure you have set the command line option")
                .doesNotContain("require command line arguments").doesNotContain("sun.misc.Unsafe");
        }
    }

    private VplaneProcess.Result ctl(final String... args) throws Exception
    {
        final List<String> line = new ArrayList<>(List.of("ctl", "container"));
        line.addAll(List.of(args));
        line.addAll(List.of("--run-dir", tmp.resolve("run").toString()));
        return VplaneProcess.run(tmp, line.toArray(String[]::new));
    }
}
