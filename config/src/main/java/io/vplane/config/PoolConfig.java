package io.vplane.config;

import java.util.List;

/**
 * The workers that serve the queues of one device type.
 *
 * @param type            device type this pool serves ({@code net}, {@code blk}, {@code vsock})
 * @param workers         number of worker threads (ignored when {@code dedicated})
 * @param cpus            CPUs the workers are pinned to, one per worker in turn; empty: not pinned
 * @param queuesPerWorker N: a device with M queues is split into ceil(M/N) queue groups
 * @param batch           requests taken from one queue before the group moves to the next
 * @param dedicated       each queue group gets a thread of its own
 * @param idle            what a worker does when a duty cycle found no work
 * @param ringSize        capacity, in entries, of the rings between stages of this type
 * @param inboxSize       capacity, in commands, of each worker's command inbox
 * @param io              the type's I/O threads (network event loops), beside its workers
 * @param autoBalance     automatic load-based regrouping of the pool's queues (off by default)
 */
public record PoolConfig(
    String type,
    int workers,
    List<Integer> cpus,
    int queuesPerWorker,
    int batch,
    boolean dedicated,
    IdleConfig idle,
    int ringSize,
    int inboxSize,
    IoThreadsConfig io,
    AutoBalanceConfig autoBalance)
{
    public PoolConfig
    {
        cpus = List.copyOf(cpus);
    }

    /** A pool without automatic regrouping. */
    public PoolConfig(
        final String type, final int workers, final List<Integer> cpus, final int queuesPerWorker, final int batch,
        final boolean dedicated, final IdleConfig idle, final int ringSize, final int inboxSize, final IoThreadsConfig io)
    {
        this(type, workers, cpus, queuesPerWorker, batch, dedicated, idle, ringSize, inboxSize, io, AutoBalanceConfig.OFF);
    }

    public PoolConfig withQueuesPerWorker(final int n)
    {
        return new PoolConfig(type, workers, cpus, n, batch, dedicated, idle, ringSize, inboxSize, io, autoBalance);
    }
}
