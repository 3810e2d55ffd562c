package io.vplane.engine.daemon;

import io.vplane.config.HousekeepingConfig;
import io.vplane.config.PoolConfig;
import io.vplane.config.VplaneConfig;
import io.vplane.engine.linux.CpuAffinity;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.List;
import java.util.stream.Stream;

/**
 * Keeps the daemon's threads that are not pinned workers (the collector, the JIT compilers, event
 * loops, control threads) off the CPUs the workers busy-poll on, as DPDK keeps its main lcore and
 * OVS its non-PMD threads apart: every thread of the process is moved to the housekeeping CPUs
 * before the workers start; threads made later inherit that, and each worker then pins itself to
 * its own CPU. Moving threads of a running JVM is plain sched_setaffinity on each of
 * /proc/self/task; nothing else changes.
 */
public final class Housekeeping
{
    private static final Logger LOG = LoggerFactory.getLogger(Housekeeping.class);
    private static final Path TASKS = Path.of("/proc/self/task");

    private Housekeeping()
    {
    }

    /** {@code vplane run}, before the engine starts: moves every thread of the process to the housekeeping CPUs. */
    public static void apply(final VplaneConfig config)
    {
        final BitSet cpus = cpusFor(config.daemon().housekeeping(), pinned(config), CpuAffinity.allowedCpus());
        if (null == cpus)
        {
            return;
        }
        int moved = 0;
        for (final int tid : tasks())
        {
            if (0 == CpuAffinity.setThreadAffinity(tid, cpus))
            {
                moved++;
            }
        }
        LOG.info("housekeeping: {} threads (collector, compilers, event loops, control) on CPUs {}; workers pinned to {}",
            moved, list(cpus), list(pinned(config)));
    }

    /**
     * The CPUs for the threads that are not pinned workers, or null to leave them where they are:
     * when housekeeping is off, when no worker is pinned (nothing to keep away from), or when no
     * allowed CPU is left over (then it says so once).
     *
     * @param pinned  the CPUs of the pools' workers and I/O threads
     * @param allowed the CPUs the process may use
     */
    static BitSet cpusFor(final HousekeepingConfig housekeeping, final BitSet pinned, final BitSet allowed)
    {
        if (!housekeeping.enabled() || pinned.isEmpty())
        {
            return null;
        }
        final BitSet cpus = new BitSet();
        if (housekeeping.cpus().isEmpty())
        {
            cpus.or(allowed);
            cpus.andNot(pinned);
        }
        else
        {
            housekeeping.cpus().forEach(cpus::set);
            cpus.and(allowed);
        }
        if (cpus.isEmpty())
        {
            LOG.warn("housekeeping: no CPU left for threads other than the workers ({} allowed, workers pinned to {}); " +
                "they run anywhere", list(allowed), list(pinned));
            return null;
        }
        return cpus;
    }

    static BitSet pinned(final VplaneConfig config)
    {
        final BitSet pinned = new BitSet();
        for (final PoolConfig pool : config.pools().values())
        {
            pool.cpus().forEach(pinned::set);
            pool.io().cpus().forEach(pinned::set);
        }
        return pinned;
    }

    private static List<Integer> tasks()
    {
        try (Stream<Path> tasks = Files.list(TASKS))
        {
            return tasks.map(task -> Integer.parseInt(task.getFileName().toString())).toList();
        }
        catch (final IOException ex)
        {
            LOG.warn("housekeeping: cannot list {}: {}", TASKS, ex.toString());
            return List.of();
        }
    }

    private static String list(final BitSet cpus)
    {
        return cpus.stream().mapToObj(Integer::toString).reduce((a, b) -> a + "," + b).orElse("none");
    }
}
