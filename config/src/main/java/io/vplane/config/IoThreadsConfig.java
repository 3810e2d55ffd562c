package io.vplane.config;

import java.util.List;

/**
 * The threads that move a device type's traffic between sockets and its queues (for blk, the NBD
 * front end's event loops), sized and pinned beside the type's workers.
 *
 * @param threads how many; 0: one per available processor
 * @param cpus    CPUs they are pinned to, one per thread in turn; empty: not pinned
 */
public record IoThreadsConfig(int threads, List<Integer> cpus)
{
    public IoThreadsConfig
    {
        cpus = List.copyOf(cpus);
    }

    /** The thread count with 0 resolved. */
    public int resolvedThreads()
    {
        return threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
    }
}
