package io.vplane.vsock.journal;

import io.vplane.vsock.control.CommandJournal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The daemon's command journal on Chronicle Queue: replay after a close and after kill -9 of the writing process, use from two threads. */
@Timeout(120)
class ChronicleRecordLogTest
{
    @TempDir
    Path dir;

    @Test
    void shouldReplayCommandsAndStatesAfterAReopen() throws Exception
    {
        final Path queue = dir.resolve("control.journal");
        try (CommandJournal journal = new CommandJournal(queue, ChronicleRecordLog::open))
        {
            journal.add("vm0", "web", 1, 3);
            journal.add("vm0", "db", 2, 64L << 20);
            journal.state(1, CommandJournal.State.APPLIED, "");
            journal.state(2, CommandJournal.State.FAILED, "agent: no such target");
        }
        try (CommandJournal journal = new CommandJournal(queue, ChronicleRecordLog::open))
        {
            assertThat(journal.entries()).extracting(CommandJournal.Entry::state)
                .containsExactly(CommandJournal.State.APPLIED, CommandJournal.State.FAILED);
            assertThat(journal.entry(2).reason()).isEqualTo("agent: no such target");
            assertThat(journal.entry(2).value()).isEqualTo(64L << 20);
            assertThat(journal.add("vm0", "web", 1, 4).id()).isEqualTo(3);
        }
    }

    @Test
    void shouldTakeCommandsFromOneThreadAndTheirStatesFromAnother() throws Exception
    {
        // the daemon adds commands on its management thread; each VM's link records states on its own
        try (CommandJournal journal = new CommandJournal(dir.resolve("control.journal"), ChronicleRecordLog::open))
        {
            final long id = journal.add("vm0", "web", 1, 3).id();
            final Exception[] failed = new Exception[1];
            final Thread link = Thread.ofPlatform().start(() ->
            {
                try
                {
                    journal.state(id, CommandJournal.State.SENT, "");
                    journal.state(id, CommandJournal.State.APPLIED, "");
                }
                catch (final Exception ex)
                {
                    failed[0] = ex;
                }
            });
            link.join();
            assertThat(failed[0]).as("a state recorded from the link's thread").isNull();
            assertThat(journal.add("vm0", "web", 1, 4).id()).isEqualTo(id + 1);
            assertThat(journal.entry(id).state()).isEqualTo(CommandJournal.State.APPLIED);
        }
    }

    @Test
    void shouldKeepEveryAcknowledgedCommandWhenTheWriterIsKilled() throws Exception
    {
        final Path queue = dir.resolve("control.journal");
        final List<String> line = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow()));
        ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
            .filter(a -> a.startsWith("--") || a.startsWith("-Dchronicle")).forEach(line::add);
        line.addAll(List.of("-cp", System.getProperty("java.class.path"), JournalWriter.class.getName(), queue.toString()));
        final Process writer = new ProcessBuilder(line).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        long acknowledged = 0;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(writer.getInputStream(), StandardCharsets.UTF_8)))
        {
            String id;
            while (acknowledged < 200 && null != (id = out.readLine()))
            {
                acknowledged = Long.parseLong(id);
            }
            writer.destroyForcibly();  // SIGKILL in the middle of its writes
            assertThat(writer.waitFor(20, TimeUnit.SECONDS)).isTrue();
        }
        finally
        {
            writer.destroyForcibly();
        }
        assertThat(acknowledged).as("the writer ran").isEqualTo(200);
        try (CommandJournal journal = new CommandJournal(queue, ChronicleRecordLog::open))
        {
            final List<CommandJournal.Entry> entries = journal.entries();
            assertThat(entries.size()).as("every acknowledged command is there").isGreaterThanOrEqualTo(200);
            for (int i = 0; i < entries.size(); i++)
            {
                assertThat(entries.get(i).id()).as("in order, none lost or torn").isEqualTo(i + 1);
                assertThat(entries.get(i).value()).isEqualTo(i);
            }
            assertThat(journal.add("vm0", "web", 1, 0).id()).isEqualTo(entries.size() + 1);
        }
    }
}
