package io.vplane.vsock.journal;

import io.vplane.vsock.control.CommandJournal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A command journal file of an earlier version, opened as the daemon's Chronicle Queue journal. */
@Timeout(60)
class JournalMigrationTest
{
    @TempDir
    Path dir;

    private Path oldJournal() throws Exception
    {
        final Path file = dir.resolve("control.journal");
        try (CommandJournal journal = new CommandJournal(file))
        {
            journal.add("vm0", "web", 1, 3);
            journal.add("vm0", "db", 2, 64L << 20);
            journal.add("vm1", "web", 3, 1L << 30);
            journal.state(1, CommandJournal.State.APPLIED, "");
            journal.state(2, CommandJournal.State.FAILED, "agent: no such target");
            journal.state(3, CommandJournal.State.SENT, "");
        }
        // a record cut by a crash: its head says 40 bytes, 3 follow
        Files.write(file, new byte[] {0, 0, 0, 40, 1, 2, 3, 4, 9, 9, 9}, StandardOpenOption.APPEND);
        return file;
    }

    @Test
    void shouldMoveEveryCommandAndStateIntoTheQueueAndKeepTheOldFile() throws Exception
    {
        final Path file = oldJournal();
        final byte[] before = Files.readAllBytes(file);
        try (CommandJournal journal = new CommandJournal(file, ChronicleRecordLog::open))
        {
            assertThat(journal.entries()).extracting(CommandJournal.Entry::id, CommandJournal.Entry::state).containsExactly(
                org.assertj.core.groups.Tuple.tuple(1L, CommandJournal.State.APPLIED),
                org.assertj.core.groups.Tuple.tuple(2L, CommandJournal.State.FAILED),
                org.assertj.core.groups.Tuple.tuple(3L, CommandJournal.State.SENT));
            assertThat(journal.entry(2).reason()).isEqualTo("agent: no such target");
            assertThat(journal.entry(3).value()).isEqualTo(1L << 30);
            assertThat(journal.unfinished("vm1")).extracting(CommandJournal.Entry::id).containsExactly(3L);
            assertThat(journal.add("vm0", "web", 1, 4).id()).isEqualTo(4);
        }
        assertThat(file).isDirectory();
        assertThat(Files.readAllBytes(dir.resolve("control.journal.old-format"))).as("kept unchanged").isEqualTo(before);
        assertThat(dir.resolve("control.journal.migrating")).doesNotExist();
        try (CommandJournal journal = new CommandJournal(file, ChronicleRecordLog::open))
        {
            assertThat(journal.entries()).extracting(CommandJournal.Entry::id).containsExactly(1L, 2L, 3L, 4L);
        }
    }

    @Test
    void shouldFinishAMigrationCutBetweenItsTwoRenames() throws Exception
    {
        final Path file = oldJournal();
        new CommandJournal(file, ChronicleRecordLog::open).close();
        // as if the daemon died after keeping the old file and before the queue took its name
        Files.move(file, dir.resolve("control.journal.migrating"));
        try (CommandJournal journal = new CommandJournal(file, ChronicleRecordLog::open))
        {
            assertThat(journal.entries()).extracting(CommandJournal.Entry::id).containsExactly(1L, 2L, 3L);
        }
    }

    @Test
    void shouldRefuseAFileThatIsNoJournal() throws Exception
    {
        final Path file = Files.writeString(dir.resolve("control.journal"), "not a journal at all\n");
        assertThatThrownBy(() -> new CommandJournal(file, ChronicleRecordLog::open))
            .hasMessageContaining("is a file of 21 bytes with no whole journal record")
            .hasMessageContaining("control.journalFile");
        assertThat(Files.readString(file)).isEqualTo("not a journal at all\n");
    }
}
