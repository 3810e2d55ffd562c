package io.vplane.vsock.control;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Containers run by a container engine's command line, {@code docker} or {@code podman} (they take
 * the same verbs), from one image. Container {@code n} of target {@code t} is named
 * {@code vplane-t-n} and labelled {@code io.vplane.target=t}, so the agent finds its containers
 * after a restart with {@code ps}. Scaling up runs the lowest free numbers ({@code run -d}),
 * down removes the highest ({@code rm -f}); memory is the container's cgroup limit
 * ({@code --memory} at run, {@code update --memory} after, swap kept to the same figure); storage
 * is the size of its {@code /data} tmpfs ({@code --mount type=tmpfs,tmpfs-size=}), remounted in
 * running containers with a privileged {@code exec} (a tmpfs cannot shrink below what it holds:
 * the engine's words are the command's reason). The engine keeps each target's limits with the
 * containers themselves, the agent in {@code STATE/targets} for new ones.
 */
public final class CliRuntime implements ContainerRuntime
{
    private static final long TIMEOUT_S = 120;
    private static final long MIN_MEMORY = 6L << 20;
    private static final long MIN_STORAGE = 1L << 20;
    public static final long DEFAULT_STORAGE = 64L << 20;
    static final String LABEL = "io.vplane.target";

    private final String binary;
    private final String image;
    private final List<String> command;
    private final TargetLimits targets;

    /**
     * @param binary  {@code docker}, {@code podman} or a path to one
     * @param state   the agent's directory for the targets' settings
     * @param image   what each container runs
     * @param command the command in the image (empty: the image's own)
     */
    public CliRuntime(final String binary, final java.nio.file.Path state, final String image, final List<String> command)
        throws java.io.IOException
    {
        this.binary = binary;
        this.image = image;
        this.command = List.copyOf(command);
        this.targets = new TargetLimits(state.resolve("targets"));
    }

    /** The engine's own answer to {@code info}: throws with its words when no engine answers. */
    public String info()
    {
        return cli("info", "--format", "{{.ServerVersion}}");
    }

    @Override
    public synchronized void scale(final String target, final long count)
    {
        TargetLimits.checkTarget(target);
        TargetLimits.checkCount(count);
        ContainerCount.reconcile(containers(target), count, n -> cli("rm", "-f", name(target, n)), n -> run(target, n));
    }

    @Override
    public synchronized void memory(final String target, final long bytes)
    {
        TargetLimits.checkTarget(target);
        TargetLimits.checkAtLeast("memory", bytes, MIN_MEMORY);
        for (final int n : containers(target))
        {
            cli("update", "--memory", Long.toString(bytes), "--memory-swap", Long.toString(bytes), name(target, n));
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
            cli("exec", "--privileged", name(target, n), "mount", "-o", "remount,size=" + bytes, "/data");
        }
        targets.save(target, "storage", bytes);
    }

    /** The numbers of {@code target}'s containers the engine has, running or not. */
    public synchronized TreeSet<Integer> containers(final String target)
    {
        final TreeSet<Integer> numbers = new TreeSet<>();
        final String prefix = "vplane-" + target + "-";
        for (final String name : cli("ps", "-a", "--filter", "label=" + LABEL + "=" + target, "--format", "{{.Names}}").lines().toList())
        {
            if (name.startsWith(prefix) && name.substring(prefix.length()).matches("[1-9][0-9]{0,5}"))
            {
                numbers.add(Integer.parseInt(name.substring(prefix.length())));
            }
        }
        return numbers;
    }

    /** Runs {@code args} in container {@code n} of {@code target}; returns the output. */
    public String exec(final String target, final int n, final String... args)
    {
        final List<String> line = new ArrayList<>(List.of("exec", name(target, n)));
        line.addAll(List.of(args));
        return cli(line.toArray(String[]::new));
    }

    /** What the engine reports of container {@code n}, as a Go template ({@code {{.HostConfig.Memory}}}) picks it. */
    public String inspect(final String target, final int n, final String format)
    {
        return cli("inspect", "--format", format, name(target, n));
    }

    private void run(final String target, final int n)
    {
        final long memory = targets.get(target, "memory", 0);
        final List<String> line = new ArrayList<>(List.of("run", "-d", "--name", name(target, n), "--label", LABEL + "=" + target,
            "--mount", "type=tmpfs,destination=/data,tmpfs-size=" + targets.get(target, "storage", DEFAULT_STORAGE)));
        if (memory > 0)
        {
            line.addAll(List.of("--memory", Long.toString(memory), "--memory-swap", Long.toString(memory)));
        }
        line.add(image);
        line.addAll(command);
        try
        {
            cli(line.toArray(String[]::new));
        }
        catch (final IllegalStateException ex)
        {
            try
            {
                cli("rm", "-f", name(target, n));
            }
            catch (final IllegalStateException ignore)
            {
                // it may never have been created; the first failure is the one to report
            }
            throw ex;
        }
    }

    private String cli(final String... args)
    {
        final List<String> line = new ArrayList<>(List.of(binary));
        line.addAll(List.of(args));
        return HostCommand.run(TIMEOUT_S, line);
    }

    private static String name(final String target, final int n)
    {
        return "vplane-" + target + "-" + n;
    }
}
