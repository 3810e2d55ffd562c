package io.vplane.vsock.control;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;

/**
 * Containers run by an OCI runtime ({@code runc}, or {@code crun} where the host's cgroups suit
 * it), each a copy of one command on one shared read-only root filesystem. Container {@code n} of
 * target {@code t} is {@code t.n}; scaling up creates and starts the lowest free numbers, scaling
 * down kills and deletes the highest. A target's memory limit and storage size are kept in
 * {@code STATE/targets/t.properties} (so a restarted agent creates new containers alike) and
 * applied to its running containers at once: memory with {@code update --memory} (the container's
 * cgroup), storage by remounting its {@code /data} tmpfs with {@code exec}. The containers
 * outlive the agent; a restarted agent finds them with {@code list}. Runs as root.
 */
public final class OciRuntime implements ContainerRuntime
{
    private static final long MIN_MEMORY = 4L << 20;
    private static final long MIN_STORAGE = 1L << 20;
    public static final long DEFAULT_STORAGE = 64L << 20;

    private final OciCommand oci;
    private final Path bundles;
    private final TargetLimits targets;
    private final Path rootfs;
    private final List<String> command;

    /**
     * @param binary  the runtime's command ({@code runc}, {@code crun} or a path)
     * @param state   the agent's directory for the runtime's state, the bundles and the targets' settings
     * @param rootfs  the containers' root filesystem (read-only, shared)
     * @param command what each container runs
     */
    public OciRuntime(final String binary, final Path state, final Path rootfs, final List<String> command) throws IOException
    {
        final Path root = state.resolve("runtime");
        this.bundles = state.resolve("bundles");
        this.targets = new TargetLimits(state.resolve("targets"));
        Files.createDirectories(root);
        Files.createDirectories(bundles);
        if (!Files.isDirectory(rootfs))
        {
            throw new IOException("container root filesystem " + rootfs + " is not a directory");
        }
        this.oci = new OciCommand(binary, root);
        this.rootfs = rootfs;
        this.command = List.copyOf(command);
    }

    @Override
    public synchronized void scale(final String target, final long count)
    {
        TargetLimits.checkTarget(target);
        TargetLimits.checkCount(count);
        ContainerCount.reconcile(containers(target), count, n -> remove(id(target, n)),
            n -> create(id(target, n), targets.get(target, "memory", 0), targets.get(target, "storage", DEFAULT_STORAGE)));
    }

    @Override
    public synchronized void memory(final String target, final long bytes)
    {
        TargetLimits.checkTarget(target);
        TargetLimits.checkAtLeast("memory", bytes, MIN_MEMORY);
        for (final int n : containers(target))
        {
            oci.run("update", "--memory", Long.toString(bytes), id(target, n));
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
            // a tmpfs cannot shrink below what it holds: the remount fails and says so
            exec(target, n, List.of("CAP_SYS_ADMIN"), "mount", "-o", "remount,size=" + bytes, "/data");
        }
        targets.save(target, "storage", bytes);
    }

    /** Runs a command in container {@code n} of {@code target}, with extra capabilities; returns its output. */
    public synchronized String exec(final String target, final int n, final List<String> capabilities, final String... args)
    {
        TargetLimits.checkTarget(target);
        final List<String> line = new ArrayList<>(List.of("exec"));
        capabilities.forEach(cap -> line.addAll(List.of("--cap", cap)));
        line.add(id(target, n));
        line.addAll(List.of(args));
        return oci.run(line.toArray(String[]::new));
    }

    /** The numbers of {@code target}'s containers the runtime knows, running or not. */
    public synchronized TreeSet<Integer> containers(final String target)
    {
        final TreeSet<Integer> numbers = new TreeSet<>();
        final String prefix = target + ".";
        for (final String id : oci.run("list", "-q").lines().toList())
        {
            if (id.startsWith(prefix) && id.substring(prefix.length()).matches("[1-9][0-9]{0,5}"))
            {
                numbers.add(Integer.parseInt(id.substring(prefix.length())));
            }
        }
        return numbers;
    }

    private void create(final String id, final long memoryBytes, final long storageBytes)
    {
        final Path bundle = bundles.resolve(id);
        try
        {
            OciBundle.write(bundle, id, rootfs, command, memoryBytes, storageBytes);
            oci.run(bundle.resolve("container.log"), "create", "--bundle", bundle.toString(), id);
            oci.run("start", id);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("container " + id + ": " + ex.getMessage(), ex);
        }
        catch (final IllegalStateException ex)
        {
            try
            {
                oci.run("delete", "--force", id);
            }
            catch (final IllegalStateException ignore)
            {
                // it may never have been created; the first failure is the one to report
            }
            throw ex;
        }
    }

    private void remove(final String id)
    {
        oci.run("delete", "--force", id);
        final Path bundle = bundles.resolve(id);
        try (var files = Files.walk(bundle))
        {
            for (final Path file : files.sorted(Comparator.reverseOrder()).toList())
            {
                Files.deleteIfExists(file);
            }
        }
        catch (final IOException ex)
        {
            // the container is gone; a stale bundle is rewritten when the number comes back
        }
    }

    private static String id(final String target, final int n)
    {
        return target + "." + n;
    }
}
