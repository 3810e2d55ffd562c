package io.vplane.engine.cli;

import io.vplane.engine.counters.CountersFile;
import io.vplane.engine.stat.CounterValue;
import io.vplane.engine.stat.Sample;
import io.vplane.engine.stat.StatSection;
import io.vplane.engine.stat.StatTable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.Console;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;

/**
 * A top-like live view of a running daemon, read from its counters file: no request reaches the daemon.
 */
@Command(
    name = "stat",
    mixinStandardHelpOptions = true,
    description = "Live view of a running daemon's workers, queue groups, queues and device kinds' tables, read from its counters file.")
public final class StatCommand implements Callable<Integer>
{
    private static final String CLEAR_SCREEN = "\033[H\033[2J";

    @Mixin
    DaemonLocation location;

    @Option(names = "--counters-file", paramLabel = "FILE", description = "Counters file to read (default: the one in the daemon's run directory).")
    Path countersFile;

    @Option(names = "--interval-ms", paramLabel = "MS", defaultValue = "1000", description = "Time between refreshes (default: ${DEFAULT-VALUE}).")
    long intervalMs;

    @Option(names = "--once", description = "Take two samples one interval apart, print one table and exit.")
    boolean once;

    @Option(names = "--count", paramLabel = "N", defaultValue = "0", description = "Exit after N tables (default: run until interrupted).")
    int count;

    @Option(names = "--raw", description = "Print every counter once, one 'LABEL VALUE' line each in slot order, and exit.")
    boolean raw;

    @Spec
    CommandSpec spec;

    /** The device kinds' tables, set by {@link VplaneCli#commandLine}. */
    List<StatSection> kindSections = List.of();

    public StatCommand()
    {
    }

    @Override
    public Integer call()
    {
        if (intervalMs <= 0)
        {
            throw new ParameterException(spec.commandLine(), "--interval-ms must be positive: " + intervalMs);
        }
        if (count < 0)
        {
            throw new ParameterException(spec.commandLine(), "--count must not be negative: " + count);
        }

        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        try
        {
            return run(resolveFile(), out, err);
        }
        catch (final ParameterException ex)
        {
            throw ex;
        }
        catch (final RuntimeException | IOException ex)
        {
            err.println("vplane stat: " + ex.getMessage());
            err.flush();
            return 1;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    private Path resolveFile()
    {
        return null != countersFile ? countersFile : location.countersFile();
    }

    private int run(final Path file, final PrintWriter out, final PrintWriter err) throws IOException, InterruptedException
    {
        final int tables = once ? 1 : count;
        final boolean clearScreen = !once && 1 != tables && isTerminal();

        CountersFile counters = CountersFile.openReadOnly(file);
        try
        {
            if (raw)
            {
                printRaw(Sample.take(counters), out);
                return 0;
            }
            Object fileKey = fileKey(file);
            Sample previous = Sample.take(counters);
            int printed = 0;
            while (0 == tables || printed < tables)
            {
                Thread.sleep(intervalMs);

                final Object nowKey;
                try
                {
                    nowKey = fileKey(file);
                }
                catch (final NoSuchFileException ex)
                {
                    err.println("vplane stat: the daemon (pid " + counters.pid() + ") has stopped: " + file + " is gone");
                    err.flush();
                    return 1;
                }
                if (!Objects.equals(fileKey, nowKey))
                {
                    // The daemon restarted and laid out a new file: follow it, rates start over.
                    counters.close();
                    counters = CountersFile.openReadOnly(file);
                    fileKey = nowKey;
                    previous = Sample.take(counters);
                    continue;
                }

                final Sample current = Sample.take(counters);
                if (clearScreen)
                {
                    out.print(CLEAR_SCREEN);
                }
                out.print(StatTable.render(file.toString(), kindSections, previous, current));
                if (!isAlive(current.pid()))
                {
                    out.println("(pid " + current.pid() + " is not running: these counters are stale)");
                }
                out.flush();
                previous = current;
                printed++;
            }
            return 0;
        }
        finally
        {
            counters.close();
        }
    }

    /** What scripts and tests read: every counter the table would show, under its label, without rates. */
    private static void printRaw(final Sample sample, final PrintWriter out)
    {
        for (final CounterValue counter : sample.counters())
        {
            out.print(counter.label());
            out.print(' ');
            out.println(counter.value());
        }
        out.flush();
    }

    private static Object fileKey(final Path file) throws IOException
    {
        return Files.readAttributes(file, BasicFileAttributes.class).fileKey();
    }

    private static boolean isAlive(final long pid)
    {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    private static boolean isTerminal()
    {
        final Console console = System.console();
        return null != console && console.isTerminal();
    }
}
