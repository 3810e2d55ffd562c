package io.vplane.vsock.journal;

import io.vplane.vsock.control.CommandJournal;

import java.nio.file.Path;

/** A process that adds commands to a Chronicle command journal and prints each id once it is durable, until killed. */
public final class JournalWriter
{
    private JournalWriter()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        try (CommandJournal journal = new CommandJournal(Path.of(args[0]), ChronicleRecordLog::open))
        {
            for (long i = 0; ; i++)
            {
                final CommandJournal.Entry entry = journal.add("vm0", "web", 1, i);
                journal.state(entry.id(), CommandJournal.State.SENT, "");
                System.out.println(entry.id());
                System.out.flush();
            }
        }
    }
}
