package io.vplane.vsock.control;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The cgroups a runtime puts its containers in, one per container under {@code BASE}, with the
 * memory controller: cgroup v2 where a unified hierarchy offers {@code memory}, else the v1
 * memory hierarchy. Which one is found at start; every error names it. A limit goes to
 * {@code memory.max} (v2, swap off with {@code memory.swap.max}) or {@code memory.limit_in_bytes}
 * (v1, {@code memory.swappiness} 0), so a tree that exceeds it is reclaimed and then OOM-killed
 * by the kernel.
 */
final class MemoryCgroups
{
    private static final long KILL_WAIT_MS = 5_000;

    private final boolean v2;
    private final Path base;

    private MemoryCgroups(final boolean v2, final Path base)
    {
        this.v2 = v2;
        this.base = base;
    }

    /** Finds the memory controller in {@code mountinfo} ({@code /proc/self/mountinfo}) and makes {@code BASE/name}. */
    static MemoryCgroups detect(final Path mountinfo, final String name) throws IOException
    {
        Path v1 = null;
        final List<String> seen = new ArrayList<>();
        for (final String line : Files.readAllLines(mountinfo))
        {
            final String[] halves = line.split(" - ", 2);
            final String[] left = halves[0].split(" ");
            final String[] right = halves.length > 1 ? halves[1].split(" ") : new String[0];
            if (left.length < 5 || right.length < 3)
            {
                continue;
            }
            final Path mountPoint = Path.of(left[4].replace("\\040", " "));
            if ("cgroup2".equals(right[0]))
            {
                final Path controllers = mountPoint.resolve("cgroup.controllers");
                final String offered = Files.exists(controllers) ? Files.readString(controllers).strip() : "";
                seen.add("cgroup v2 at " + mountPoint + " offering [" + offered + "]");
                if ((" " + offered + " ").contains(" memory "))
                {
                    final MemoryCgroups cgroups = new MemoryCgroups(true, mountPoint.resolve(name));
                    cgroups.enableMemory(mountPoint);
                    Files.createDirectories(cgroups.base);
                    cgroups.enableMemory(cgroups.base);
                    return cgroups;
                }
            }
            else if ("cgroup".equals(right[0]) && List.of(right[2].split(",")).contains("memory"))
            {
                seen.add("cgroup v1 memory hierarchy at " + mountPoint);
                v1 = mountPoint;
            }
        }
        if (null == v1)
        {
            throw new IOException("no cgroup memory controller is mounted (found: " + (seen.isEmpty() ? "no cgroup mount" : String.join(
                "; ", seen)) + "); mount cgroup2, or cgroup v1 with -o memory");
        }
        final MemoryCgroups cgroups = new MemoryCgroups(false, v1.resolve(name));
        Files.createDirectories(cgroups.base);
        return cgroups;
    }

    /** "cgroup v1 (memory hierarchy at ...)" or "cgroup v2 (...)": what was found, for messages and logs. */
    String describe()
    {
        return (v2 ? "cgroup v2 (" : "cgroup v1 (memory hierarchy, ") + base + ")";
    }

    boolean v2()
    {
        return v2;
    }

    Path path(final String group)
    {
        return base.resolve(group);
    }

    /** The groups under the base, each a container. */
    List<String> groups()
    {
        try (var entries = Files.list(base))
        {
            return entries.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(describe() + ": cannot list: " + ex.getMessage(), ex);
        }
    }

    /** Makes {@code group}; a process joins it by writing its pid to {@link #procsFile}. */
    void create(final String group)
    {
        try
        {
            Files.createDirectories(path(group));
            write(group, v2 ? "memory.swap.max" : "memory.swappiness", "0", true);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(describe() + ": cannot make " + group + ": " + ex.getMessage(), ex);
        }
    }

    Path procsFile(final String group)
    {
        return path(group).resolve("cgroup.procs");
    }

    /** Sets {@code group}'s memory limit; 0 means none. */
    void limit(final String group, final long bytes)
    {
        write(group, v2 ? "memory.max" : "memory.limit_in_bytes", 0 == bytes ? (v2 ? "max" : "-1") : Long.toString(bytes), false);
    }

    /** {@code group}'s memory limit as its cgroup file shows it; {@link Long#MAX_VALUE} for none. */
    long limit(final String group)
    {
        final String text = read(group, v2 ? "memory.max" : "memory.limit_in_bytes");
        return "max".equals(text) ? Long.MAX_VALUE : Long.parseLong(text);
    }

    /** How many processes of {@code group} the kernel's OOM killer ended. */
    long oomKills(final String group)
    {
        return read(group, v2 ? "memory.events" : "memory.oom_control").lines().filter(l -> l.startsWith("oom_kill "))
            .mapToLong(l -> Long.parseLong(l.substring(9).strip())).findFirst().orElse(0);
    }

    List<Long> pids(final String group)
    {
        return read(group, "cgroup.procs").lines().filter(l -> !l.isBlank()).map(Long::parseLong).toList();
    }

    /** Kills every process of {@code group} and waits until it holds none. */
    void kill(final String group)
    {
        if (v2 && Files.exists(path(group).resolve("cgroup.kill")))
        {
            write(group, "cgroup.kill", "1", false);
        }
        final long deadline = System.nanoTime() + KILL_WAIT_MS * 1_000_000;
        List<Long> left = pids(group);
        while (!left.isEmpty())
        {
            // a process may fork while it is being killed: go round until the group is empty
            left.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
            if (System.nanoTime() - deadline > 0)
            {
                throw new IllegalStateException(describe() + ": " + group + " still holds " + left + " after " + KILL_WAIT_MS + " ms");
            }
            sleep();
            left = pids(group);
        }
    }

    /** Kills what runs in {@code group} and removes it. */
    void remove(final String group)
    {
        if (!Files.isDirectory(path(group)))
        {
            return;
        }
        kill(group);
        final long deadline = System.nanoTime() + KILL_WAIT_MS * 1_000_000;
        while (true)
        {
            try
            {
                Files.delete(path(group));
                return;
            }
            catch (final IOException ex)
            {
                // EBUSY until the last killed task has left the group
                if (System.nanoTime() - deadline > 0)
                {
                    throw new UncheckedIOException(describe() + ": cannot remove " + group + ": " + ex.getMessage(), ex);
                }
                sleep();
            }
        }
    }

    /** Removes the base cgroup once no container is left in it. */
    void removeBase()
    {
        if (groups().isEmpty())
        {
            try
            {
                Files.deleteIfExists(base);
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(describe() + ": cannot remove: " + ex.getMessage(), ex);
            }
        }
    }

    private void enableMemory(final Path group) throws IOException
    {
        final Path control = group.resolve("cgroup.subtree_control");
        if (!(" " + Files.readString(control).strip() + " ").contains(" memory "))
        {
            try
            {
                Files.writeString(control, "+memory");
            }
            catch (final IOException ex)
            {
                throw new IOException("cgroup v2 at " + group + ": cannot enable the memory controller for its children (" + ex.getMessage()
                    + "); a cgroup with processes of its own cannot (no internal processes)", ex);
            }
        }
    }

    private void write(final String group, final String file, final String value, final boolean optional)
    {
        final Path path = path(group).resolve(file);
        if (optional && !Files.exists(path))
        {
            return;
        }
        try
        {
            Files.writeString(path, value);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(describe() + ": cannot write " + value + " to " + group + "/" + file + ": " + ex.getMessage(), ex);
        }
    }

    private String read(final String group, final String file)
    {
        try
        {
            return Files.readString(path(group).resolve(file)).strip();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(describe() + ": cannot read " + group + "/" + file + ": " + ex.getMessage(), ex);
        }
    }

    private static void sleep()
    {
        try
        {
            Thread.sleep(10);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", ex);
        }
    }
}
