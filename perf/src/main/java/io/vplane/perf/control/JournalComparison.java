package io.vplane.perf.control;

import io.vplane.vsock.control.CommandJournal;
import io.vplane.vsock.journal.ChronicleRecordLog;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * What the host's command journal costs per command: one durable command record and the three
 * state records a command then gets (sent, acknowledged, applied), as the daemon writes them, on
 * Chronicle Queue (side "chronicle", the daemon's journal) against the record file of earlier
 * versions (side "file": write + fdatasync, the same sync per command) and a bare 64-byte write +
 * fdatasync of a file (side "fdatasync", the disk's floor). Speaks the side-by-side protocol
 * (docs/benchmarks.md): {@code --sides}; {@code --side chronicle|file|fdatasync [--quick] [commands]}.
 * <pre>
 *   perf/bin/command-journal [--pairs N] [commands=500]
 * </pre>
 */
public final class JournalComparison
{
    private static final List<String> SIDES = List.of("chronicle", "file", "fdatasync");

    private JournalComparison()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        if (args.length > 0 && "--sides".equals(args[0]))
        {
            System.out.println("chronicle\tsubject\tthe daemon's command journal on Chronicle Queue: a synced command record + 3 state records");
            System.out.println("file\tanchor\tthe same records in the record file of earlier versions (write + fdatasync)");
            System.out.println("fdatasync\tanchor\ta bare 64-byte write + fdatasync of a file per command (the disk's floor)");
            return;
        }
        if (args.length < 2 || !"--side".equals(args[0]) || !SIDES.contains(args[1]))
        {
            System.err.println("usage: JournalComparison --sides | --side chronicle|file|fdatasync [--quick] [commands]");
            System.exit(2);
        }
        final boolean quick = args.length > 2 && "--quick".equals(args[2]);
        final int first = quick ? 3 : 2;
        final int commands = args.length > first ? Integer.parseInt(args[first]) : quick ? 100 : 500;
        final Path dir = Files.createTempDirectory(Path.of(System.getProperty("vplane.journal.dir", "target")).toAbsolutePath(),
            "command-journal");
        try
        {
            // unmeasured: the JIT compiles the path and Chronicle maps its first file, as in a running daemon
            round(args[1], dir.resolve("warm-up"), Math.max(50, commands / 4));
            final long[] latency = round(args[1], dir.resolve("measured"), commands);
            System.out.printf(Locale.ROOT, "figure\tjournal\tcommands\t%.0f\tper s\thigher%n", commands * 1e9 / Arrays.stream(latency).sum());
            System.out.printf(Locale.ROOT, "figure\tjournal\tp50 per command\t%.1f\tus\tlower%n",
                ControlChannelComparison.percentile(latency, 0.50) / 1e3);
            System.out.printf(Locale.ROOT, "figure\tjournal\tp99 per command\t%.1f\tus\tlower%n",
                ControlChannelComparison.percentile(latency, 0.99) / 1e3);
        }
        finally
        {
            try (Stream<Path> files = Files.walk(dir))
            {
                files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
            }
        }
    }

    /** Each command's records, timed, in ns. */
    private static long[] round(final String side, final Path path, final int commands) throws IOException
    {
        if ("fdatasync".equals(side))
        {
            return bareSyncs(path, commands);
        }
        try (CommandJournal journal = "chronicle".equals(side) ? new CommandJournal(path, ChronicleRecordLog::open) : new CommandJournal(path))
        {
            final long[] latency = new long[commands];
            for (int i = 0; i < commands; i++)
            {
                final long start = System.nanoTime();
                final long id = journal.add("vm0", "web", 1, i).id();
                journal.state(id, CommandJournal.State.SENT, "");
                journal.state(id, CommandJournal.State.ACKNOWLEDGED, "");
                journal.state(id, CommandJournal.State.APPLIED, "");
                latency[i] = System.nanoTime() - start;
            }
            return latency;
        }
    }

    private static long[] bareSyncs(final Path path, final int commands) throws IOException
    {
        try (FileChannel file = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE))
        {
            final long[] latency = new long[commands];
            final ByteBuffer record = ByteBuffer.allocate(64);
            for (int i = 0; i < commands; i++)
            {
                final long start = System.nanoTime();
                file.write(record.clear());
                file.force(false);
                latency[i] = System.nanoTime() - start;
            }
            return latency;
        }
    }
}
