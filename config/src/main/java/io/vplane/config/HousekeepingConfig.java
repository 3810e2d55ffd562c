package io.vplane.config;

import java.util.List;

/**
 * {@code daemon.housekeeping}: where the daemon's threads other than the pinned workers run (the
 * collector, the JIT compilers, event loops, control threads), so they keep off the CPUs workers
 * busy-poll on. Applied by {@code vplane run} at start, before the workers start.
 *
 * @param enabled whether to move them at all
 * @param cpus    the CPUs for them; empty: every CPU the daemon may use that no pool's workers or
 *                I/O threads are pinned to
 */
public record HousekeepingConfig(boolean enabled, List<Integer> cpus)
{
    public static final HousekeepingConfig AUTO = new HousekeepingConfig(true, List.of());

    public HousekeepingConfig
    {
        cpus = List.copyOf(cpus);
    }
}
