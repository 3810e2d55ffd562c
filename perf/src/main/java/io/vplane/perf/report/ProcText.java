package io.vplane.perf.report;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** Parsers for the /proc and /sys texts the conditions come from; they take the text, so tests give fixtures. */
public final class ProcText
{
    private ProcText()
    {
    }

    /** The first "model name" of /proc/cpuinfo (or "Hardware"/"cpu model" on other architectures). */
    public static String cpuModel(final String cpuinfo)
    {
        for (final String line : cpuinfo.split("\n"))
        {
            final int colon = line.indexOf(':');
            if (colon < 0)
            {
                continue;
            }
            final String key = line.substring(0, colon).trim();
            if (key.equals("model name") || key.equals("Hardware") || key.equals("cpu model"))
            {
                return line.substring(colon + 1).trim();
            }
        }
        return "unknown";
    }

    /**
     * The SMT sibling groups, from each logical CPU's topology/thread_siblings_list ("0,2" or
     * "0-1"): the distinct lists naming more than one CPU, in CPU order.
     */
    public static List<String> smtSiblings(final Map<Integer, String> siblingsListByCpu)
    {
        final Set<String> groups = new LinkedHashSet<>();
        new TreeMap<>(siblingsListByCpu).values().forEach(list ->
        {
            final List<Integer> cpus = cpuList(list.trim());
            if (cpus.size() > 1)
            {
                groups.add(String.join(",", cpus.stream().map(String::valueOf).toList()));
            }
        });
        return List.copyOf(groups);
    }

    /** A kernel CPU list such as "0-2,5" as its CPUs. */
    public static List<Integer> cpuList(final String list)
    {
        final List<Integer> cpus = new ArrayList<>();
        if (list.isEmpty())
        {
            return cpus;
        }
        for (final String part : list.split(","))
        {
            final int dash = part.indexOf('-');
            if (dash < 0)
            {
                cpus.add(Integer.parseInt(part.trim()));
            }
            else
            {
                final int to = Integer.parseInt(part.substring(dash + 1).trim());
                for (int cpu = Integer.parseInt(part.substring(0, dash).trim()); cpu <= to; cpu++)
                {
                    cpus.add(cpu);
                }
            }
        }
        return cpus;
    }

    /** The 1, 5 and 15 minute load averages of /proc/loadavg. */
    public static double[] loadAverage(final String loadavg)
    {
        final String[] fields = loadavg.trim().split("\\s+");
        if (fields.length < 3)
        {
            throw new IllegalArgumentException("not a /proc/loadavg line: '" + loadavg + "'");
        }
        return new double[] {Double.parseDouble(fields[0]), Double.parseDouble(fields[1]), Double.parseDouble(fields[2])};
    }

    /** A process's pid, command name and CPU time (user + system, in clock ticks) from /proc/PID/stat. */
    public record ProcStat(long pid, String comm, long cpuTicks)
    {
    }

    /**
     * Parses /proc/PID/stat: "pid (comm) state ppid ...", where comm may itself hold spaces and
     * parentheses, so it ends at the last ')'; utime and stime are fields 14 and 15 (proc(5)).
     */
    public static ProcStat procStat(final String stat)
    {
        final int open = stat.indexOf('(');
        final int close = stat.lastIndexOf(')');
        if (open < 0 || close < open)
        {
            throw new IllegalArgumentException("not a /proc/PID/stat line: '" + stat + "'");
        }
        final long pid = Long.parseLong(stat.substring(0, open).trim());
        final String[] rest = stat.substring(close + 1).trim().split("\\s+");
        // rest[0] is field 3 (state): utime (14) and stime (15) are rest[11] and rest[12]
        if (rest.length < 13)
        {
            throw new IllegalArgumentException("short /proc/PID/stat line: '" + stat + "'");
        }
        return new ProcStat(pid, stat.substring(open + 1, close), Long.parseLong(rest[11]) + Long.parseLong(rest[12]));
    }

    /** /proc/PID/cmdline (arguments separated by NUL) as one line. */
    public static String cmdline(final String raw)
    {
        return raw.replace('\0', ' ').strip();
    }
}
