package io.vplane.perf.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/** Reads the machine description and the host's conditions from /proc and /sys. */
public final class HostProbe
{
    /** USER_HZ: the unit of /proc/PID/stat's CPU times on every Linux architecture in use. */
    private static final double TICKS_PER_SECOND = 100.0;
    private static final int BUSIEST = 5;
    private static final int COMMAND_CHARS = 120;

    private final Path proc;
    private final Path sys;
    private final Set<Long> own;

    public HostProbe()
    {
        this(Path.of("/proc"), Path.of("/sys"));
    }

    HostProbe(final Path proc, final Path sys)
    {
        this.proc = proc;
        this.sys = sys;
        // this process and those that started it are not "other" processes
        own = new HashSet<>();
        for (Optional<ProcessHandle> p = Optional.of(ProcessHandle.current()); p.isPresent(); p = p.get().parent())
        {
            own.add(p.get().pid());
        }
    }

    public Machine machine()
    {
        final Map<Integer, String> siblings = new TreeMap<>();
        try (DirectoryStream<Path> cpus = Files.newDirectoryStream(sys.resolve("devices/system/cpu"), "cpu[0-9]*"))
        {
            for (final Path cpu : cpus)
            {
                final Path list = cpu.resolve("topology/thread_siblings_list");
                if (Files.isReadable(list))
                {
                    siblings.put(Integer.parseInt(cpu.getFileName().toString().substring(3)), Files.readString(list));
                }
            }
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException(e);
        }
        final int logical = siblings.isEmpty() ? Runtime.getRuntime().availableProcessors() : siblings.size();
        return new Machine(ProcText.cpuModel(read(proc.resolve("cpuinfo"))), logical, ProcText.smtSiblings(siblings),
            read(proc.resolve("sys/kernel/osrelease")).strip());
    }

    /** Load average, and the busiest other processes and the pollers over a sample of {@code sample}. */
    public Conditions conditions(final Duration sample)
    {
        final Map<Long, ProcText.ProcStat> first = stats();
        final long start = System.nanoTime();
        try
        {
            Thread.sleep(sample);
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
        }
        final Map<Long, ProcText.ProcStat> second = stats();
        final double seconds = (System.nanoTime() - start) / 1e9;
        final List<Conditions.ProcessLoad> loads = new ArrayList<>();
        final List<Conditions.ProcessLoad> pollers = new ArrayList<>();
        for (final ProcText.ProcStat now : second.values())
        {
            if (own.contains(now.pid()))
            {
                continue;
            }
            final ProcText.ProcStat then = first.get(now.pid());
            final long ticks = then == null ? 0 : now.cpuTicks() - then.cpuTicks();
            final double percent = 100.0 * ticks / TICKS_PER_SECOND / seconds;
            final String cmdline = cmdline(now.pid());
            final Conditions.ProcessLoad load = new Conditions.ProcessLoad(now.pid(),
                cmdline.isEmpty() ? "[" + now.comm() + "]" : abbreviate(cmdline), percent);
            if (percent > 0.5)
            {
                loads.add(load);
            }
            if (LeftoverPollers.isPoller(now.comm(), cmdline, now.comm().equals("java") ? threadNames(now.pid()) : List.of()))
            {
                pollers.add(load);
            }
        }
        loads.sort(Comparator.comparingDouble(Conditions.ProcessLoad::cpuPercent).reversed());
        return new Conditions(Instant.now(), ProcText.loadAverage(read(proc.resolve("loadavg"))),
            List.copyOf(loads.subList(0, Math.min(BUSIEST, loads.size()))), List.copyOf(pollers));
    }

    private Map<Long, ProcText.ProcStat> stats()
    {
        final Map<Long, ProcText.ProcStat> stats = new HashMap<>();
        try (DirectoryStream<Path> pids = Files.newDirectoryStream(proc, "[0-9]*"))
        {
            for (final Path pid : pids)
            {
                // a process may end between the listing and the read
                readIfThere(pid.resolve("stat")).ifPresent(stat ->
                {
                    final ProcText.ProcStat parsed = ProcText.procStat(stat);
                    stats.put(parsed.pid(), parsed);
                });
            }
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException(e);
        }
        return stats;
    }

    private String cmdline(final long pid)
    {
        return readIfThere(proc.resolve(pid + "/cmdline")).map(ProcText::cmdline).orElse("");
    }

    private List<String> threadNames(final long pid)
    {
        final List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(proc.resolve(pid + "/task")))
        {
            for (final Path task : tasks)
            {
                readIfThere(task.resolve("comm")).ifPresent(name -> names.add(name.strip()));
            }
        }
        catch (final IOException e)
        {
            // the process ended
        }
        return names;
    }

    /** A long command line as its program and its tail: a JVM's flags say less than its main class and arguments. */
    static String abbreviate(final String text)
    {
        if (text.length() <= COMMAND_CHARS)
        {
            return text;
        }
        final String program = text.split(" ", 2)[0];
        final String head = program.substring(program.lastIndexOf('/') + 1) + " …";
        return head + text.substring(text.length() - Math.max(20, COMMAND_CHARS - head.length()));
    }

    private static Optional<String> readIfThere(final Path file)
    {
        try
        {
            return Optional.of(Files.readString(file));
        }
        catch (final IOException | UncheckedIOException e)
        {
            return Optional.empty();
        }
    }

    private static String read(final Path file)
    {
        try
        {
            return Files.readString(file);
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException(e);
        }
    }
}
