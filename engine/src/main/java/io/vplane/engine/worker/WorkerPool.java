package io.vplane.engine.worker;

import io.vplane.config.PoolConfig;
import io.vplane.engine.counters.Counters;
import org.agrona.ErrorHandler;

import java.util.ArrayList;
import java.util.List;

/**
 * The workers of one device type. Shared mode: a fixed set of {@code workers} threads started up
 * front. Dedicated mode: one thread per queue group, created as groups appear and closed when a
 * rebind leaves them without one. CPUs are handed out from the pool's list in turn.
 */
public final class WorkerPool implements AutoCloseable
{
    private final String type;
    private final Counters counters;
    private final ErrorHandler errorHandler;
    private final List<Worker> workers = new ArrayList<>();
    private PoolConfig config;

    public WorkerPool(final PoolConfig config, final Counters counters, final ErrorHandler errorHandler)
    {
        this.type = config.type();
        this.config = config;
        this.counters = counters;
        this.errorHandler = errorHandler;
        if (!config.dedicated())
        {
            for (int i = 0; i < config.workers(); i++)
            {
                workers.add(newWorker(i));
            }
        }
    }

    public String type()
    {
        return type;
    }

    public synchronized PoolConfig config()
    {
        return config;
    }

    public boolean dedicated()
    {
        return config.dedicated();
    }

    /** The workers now running, in index order. */
    public synchronized List<Worker> workers()
    {
        return List.copyOf(workers);
    }

    /**
     * Dedicated mode: makes sure exactly {@code count} workers exist, starting or closing the ones
     * past the current count. Only workers that no longer carry agents may be closed.
     */
    public synchronized List<Worker> ensureDedicated(final int count)
    {
        while (workers.size() < count)
        {
            workers.add(newWorker(workers.size()));
        }
        while (workers.size() > count)
        {
            workers.removeLast().close();
        }
        return List.copyOf(workers);
    }

    /** Applies a new CPU list to the running workers. */
    public synchronized void repin(final List<Integer> cpus)
    {
        config = new PoolConfig(type, config.workers(), cpus, config.queuesPerWorker(), config.batch(),
            config.dedicated(), config.idle(), config.ringSize(), config.inboxSize(), config.io(), config.autoBalance());
        for (int i = 0; i < workers.size(); i++)
        {
            workers.get(i).repin(cpuFor(i)).join();
        }
    }

    @Override
    public synchronized void close()
    {
        workers.forEach(Worker::close);
        workers.clear();
    }

    private Worker newWorker(final int index)
    {
        final String name = type + "-" + index;
        final int cpu = cpuFor(index);
        final Worker worker = new Worker(name, cpu, config.inboxSize(), config.idle(),
            WorkerCounters.allocate(counters, type, name), errorHandler);
        worker.start();
        return worker;
    }

    private int cpuFor(final int index)
    {
        final List<Integer> cpus = config.cpus();
        return cpus.isEmpty() ? -1 : cpus.get(index % cpus.size());
    }
}
