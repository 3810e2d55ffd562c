package io.vplane.vsock.control;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Containers as plain process trees: each runs one copy of a command in its own memory cgroup
 * ({@link MemoryCgroups}: v2 or v1, whichever is mounted) with its storage an ext4 filesystem in a
 * sized file, loop-mounted as its working directory ({@link LoopStorage}). Container {@code n} of
 * target {@code t} is {@code t.n}: its cgroup {@code CGROUP/t.n}, its filesystem
 * {@code STATE/data/t.n}, its output {@code STATE/logs/t.n.log}; the command sees
 * {@code VPLANE_CONTAINER}, {@code VPLANE_TARGET} and {@code VPLANE_DATA}. Scaling up starts the
 * lowest free numbers; scaling down kills the highest's whole tree (every process of its cgroup),
 * removes the cgroup and deletes its filesystem. A memory limit is written to the running
 * containers' cgroups at once; a storage size is applied by stopping each container, resizing its
 * filesystem offline and starting it again (its files are kept). Containers outlive the agent; a
 * restarted agent finds them by their cgroups. Runs as root.
 */
public final class ProcessRuntime implements ContainerRuntime
{
    private static final long MIN_MEMORY = 4L << 20;
    private static final long MIN_STORAGE = 4L << 20;
    public static final long DEFAULT_STORAGE = 64L << 20;
    private static final long START_WAIT_MS = 5_000;

    private final MemoryCgroups cgroups;
    private final LoopStorage storage;
    private final TargetLimits targets;
    private final Path logs;
    private final List<String> command;

    /**
     * @param state   the agent's directory for the filesystems, logs and the targets' settings
     * @param cgroup  the cgroup, under the memory controller's root, holding one child per container
     * @param command what each container runs (a host program)
     */
    public ProcessRuntime(final Path state, final String cgroup, final List<String> command) throws IOException
    {
        TargetLimits.checkTarget(cgroup);
        this.cgroups = MemoryCgroups.detect(Path.of("/proc/self/mountinfo"), cgroup);
        this.storage = new LoopStorage(state.resolve("images"), state.resolve("data"));
        this.targets = new TargetLimits(state.resolve("targets"));
        this.logs = Files.createDirectories(state.resolve("logs"));
        this.command = List.copyOf(command);
        if (this.command.isEmpty())
        {
            throw new IllegalArgumentException("a container needs a command");
        }
    }

    /** Which cgroup version and where, as found at start. */
    public String cgroups()
    {
        return cgroups.describe();
    }

    @Override
    public synchronized void scale(final String target, final long count)
    {
        TargetLimits.checkTarget(target);
        TargetLimits.checkCount(count);
        ContainerCount.reconcile(containers(target), count, n ->
        {
            cgroups.remove(id(target, n));
            storage.delete(id(target, n));
        }, n -> create(id(target, n), targets.get(target, "memory", 0), targets.get(target, "storage", DEFAULT_STORAGE)));
    }

    @Override
    public synchronized void memory(final String target, final long bytes)
    {
        TargetLimits.checkTarget(target);
        TargetLimits.checkAtLeast("memory", bytes, MIN_MEMORY);
        for (final int n : containers(target))
        {
            // v1 refuses (EBUSY) a limit below what the group holds and cannot reclaim: the reason goes to the host
            cgroups.limit(id(target, n), bytes);
        }
        targets.save(target, "memory", bytes);
    }

    @Override
    public synchronized void storage(final String target, final long bytes)
    {
        TargetLimits.checkTarget(target);
        TargetLimits.checkAtLeast("storage", bytes, MIN_STORAGE);
        for (final int n : containers(target))
        {
            final String id = id(target, n);
            cgroups.kill(id);
            storage.unmount(id);
            try
            {
                storage.resize(id, bytes);
            }
            finally
            {
                // resized or not (resize2fs refuses to shrink below the files), the container runs again
                storage.mount(id);
                start(id, target);
            }
        }
        targets.save(target, "storage", bytes);
    }

    /** Removes the runtime's own cgroup when no container is left (an agent taken off the machine). */
    public synchronized void removeCgroup()
    {
        cgroups.removeBase();
    }

    /** The numbers of {@code target}'s containers (their cgroups), running or ended (e.g. OOM-killed). */
    public synchronized TreeSet<Integer> containers(final String target)
    {
        final TreeSet<Integer> numbers = new TreeSet<>();
        final String prefix = target + ".";
        for (final String group : cgroups.groups())
        {
            if (group.startsWith(prefix) && group.substring(prefix.length()).matches("[1-9][0-9]{0,5}"))
            {
                numbers.add(Integer.parseInt(group.substring(prefix.length())));
            }
        }
        return numbers;
    }

    /** The processes of container {@code n} of {@code target}, from its cgroup. */
    public List<Long> pids(final String target, final int n)
    {
        return cgroups.pids(id(target, n));
    }

    /** The memory limit container {@code n}'s cgroup file shows ({@link Long#MAX_VALUE} for none). */
    public long memoryLimit(final String target, final int n)
    {
        return cgroups.limit(id(target, n));
    }

    /** Processes of container {@code n} the kernel's OOM killer ended. */
    public long oomKills(final String target, final int n)
    {
        return cgroups.oomKills(id(target, n));
    }

    /** Container {@code n}'s filesystem (its working directory). */
    public Path data(final String target, final int n)
    {
        return storage.mountPoint(id(target, n));
    }

    private void create(final String id, final long memoryBytes, final long storageBytes)
    {
        cgroups.create(id);
        try
        {
            cgroups.limit(id, memoryBytes);
            storage.create(id, storageBytes);
            start(id, id.substring(0, id.lastIndexOf('.')));
        }
        catch (final RuntimeException ex)
        {
            try
            {
                cgroups.remove(id);
                storage.delete(id);
            }
            catch (final RuntimeException cleanup)
            {
                ex.addSuppressed(cleanup);
            }
            throw ex;
        }
    }

    /**
     * Starts the command in {@code id}'s cgroup: a shell joins the cgroup, then becomes the command
     * ({@code exec}), so the command and all it forks are in the cgroup from their first
     * instruction; {@code setsid} detaches it from the agent's session so it outlives the agent.
     */
    private void start(final String id, final String target)
    {
        final List<String> line = new ArrayList<>(List.of("setsid", "/bin/sh", "-c", "echo $$ > \"$0\" && exec \"$@\"",
            cgroups.procsFile(id).toString()));
        line.addAll(command);
        final ProcessBuilder builder = new ProcessBuilder(line).directory(storage.mountPoint(id).toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .redirectOutput(ProcessBuilder.Redirect.appendTo(logs.resolve(id + ".log").toFile())).redirectErrorStream(true);
        builder.environment().putAll(Map.of("VPLANE_CONTAINER", id, "VPLANE_TARGET", target, "VPLANE_DATA",
            storage.mountPoint(id).toString()));
        final Process process;
        try
        {
            process = builder.start();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("container " + id + ": cannot start " + command.getFirst() + ": " + ex.getMessage(), ex);
        }
        final long deadline = System.nanoTime() + START_WAIT_MS * 1_000_000;
        while (!cgroups.pids(id).contains(process.pid()))
        {
            if (!process.isAlive() && !cgroups.pids(id).contains(process.pid()))
            {
                throw new IllegalStateException("container " + id + " ended at start (status " + process.exitValue() + "); see "
                    + logs.resolve(id + ".log"));
            }
            if (System.nanoTime() - deadline > 0)
            {
                process.destroyForcibly();
                throw new IllegalStateException("container " + id + " did not join " + cgroups.describe() + " within " + START_WAIT_MS + " ms");
            }
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
    }

    private static String id(final String target, final int n)
    {
        return target + "." + n;
    }
}
