package io.vplane.vsock.control;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The agent as the program a VM runs ({@code AgentMain} in a JVM of its own, with nothing on its
 * class path but this module's classes: the JDK is all it needs), and socat as a real client that
 * answers its challenge with garbage: that connection is closed and the agent stays up for the
 * host, whose commands it then applies; killed with commands in flight and started again on its journal, it applies each
 * command once.
 */
@Timeout(120)
class AgentProcessIT
{
    private static final String SECRET = "agent-process-secret-0123456789";

    @TempDir
    Path dir;

    private Process startAgent(final Path socket) throws IOException
    {
        final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        final Process agent = new ProcessBuilder(java, "-cp", Path.of("target/classes").toAbsolutePath().toString(),
            AgentMain.class.getName(), "--listen", "unix:" + socket, "--secret-file", dir.resolve("secret").toString(),
            "--journal", dir.resolve("agent.journal").toString()).redirectErrorStream(true)
            .redirectOutput(dir.resolve("agent.log").toFile()).start();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!Files.exists(socket) && System.nanoTime() < deadline && agent.isAlive())
        {
            sleep(20);
        }
        assertThat(Files.exists(socket)).as("agent listening; its log: %s", log()).isTrue();
        return agent;
    }

    private String log() throws IOException
    {
        return Files.exists(dir.resolve("agent.log")) ? Files.readString(dir.resolve("agent.log")) : "";
    }

    private static void sleep(final long ms)
    {
        try
        {
            Thread.sleep(ms);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void shouldAnswerGarbageFromSocatAndThenApplyTheHostsCommandsOnceAcrossARestart() throws Exception
    {
        Files.writeString(dir.resolve("secret"), SECRET);
        Files.setPosixFilePermissions(dir.resolve("secret"), PosixFilePermissions.fromString("rw-------"));
        final Path socket = dir.resolve("agent.sock");
        Process agent = startAgent(socket);
        try
        {
            // socat: a garbage "answer" to the challenge; the agent says so and closes this connection only
            final Process socat = new ProcessBuilder("socat", "-t", "2", "-", "UNIX-CONNECT:" + socket).start();
            socat.getOutputStream().write("GARBAGE-GARBAGE-GARBAGE-GARBAGE-GARBAGE\n".getBytes());
            socat.getOutputStream().close();
            assertThat(socat.waitFor(20, TimeUnit.SECONDS)).isTrue();
            final byte[] answer = socat.getInputStream().readAllBytes();
            assertThat(answer.length).as("the challenge frame, then nothing: a closed connection").isEqualTo(4 + 12 + 32);
            assertThat(agent.isAlive()).isTrue();

            try (ControlService service = new ControlService(dir.resolve("commands.journal"),
                Map.of("vm0", new ControlService.Vm(ControlTransport.unix(socket), SECRET.getBytes()))))
            {
                for (int i = 1; i <= 40; i++)
                {
                    service.submit("vm0", ControlFrame.OP_SCALE, "web", i);
                }
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (service.commands().stream().filter(c -> c.state().finished()).count() < 10 && System.nanoTime() < deadline)
                {
                    sleep(5);
                }
                agent.destroyForcibly().waitFor();
                Files.deleteIfExists(socket);
                agent = startAgent(socket);
                while (!service.commands().stream().allMatch(c -> c.state().finished()) && System.nanoTime() < deadline)
                {
                    sleep(20);
                }
                assertThat(service.commands()).extracting(CommandJournal.Entry::state).containsOnly(CommandJournal.State.APPLIED);
            }
            try (AppliedJournal journal = new AppliedJournal(dir.resolve("agent.journal")))
            {
                assertThat(journal.size()).as("every command applied").isEqualTo(40);
                assertThat(journal.records()).as("none applied twice").isEqualTo(40);
            }
        }
        finally
        {
            agent.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
