package io.vplane.engine.worker;

import io.vplane.config.IoThreadsConfig;
import io.vplane.engine.linux.CpuAffinity;
import io.vplane.engine.management.PlacementView;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A device type's I/O threads (network event loops a device kind runs beside the type's workers):
 * how many the config asks for, and each pinned to the next CPU of its list as it starts, so the
 * front end of a type stays on the CPUs the operator gave it and shows in the placement.
 */
public final class IoThreads
{
    private static final Logger LOG = LoggerFactory.getLogger(IoThreads.class);

    private final String type;
    private final IoThreadsConfig config;
    private final AtomicInteger started = new AtomicInteger();
    private final List<PlacementView.IoThreadView> running = new CopyOnWriteArrayList<>();

    public IoThreads(final String type, final IoThreadsConfig config)
    {
        this.type = type;
        this.config = config;
    }

    /** How many threads a device kind should start. */
    public int count()
    {
        return config.resolvedThreads();
    }

    /**
     * Wraps an I/O thread's body: it first pins the thread to the next CPU of the list (or leaves it
     * unpinned, saying so once, when the kernel refuses) and shows it in the placement until it ends.
     */
    public Runnable pinned(final Runnable body)
    {
        final int index = started.getAndIncrement();
        final int cpu = config.cpus().isEmpty() ? -1 : config.cpus().get(index % config.cpus().size());
        return () ->
        {
            final String name = Thread.currentThread().getName();
            final boolean pinned = cpu >= 0 && pin(name, cpu);
            final PlacementView.IoThreadView view = new PlacementView.IoThreadView(name, pinned ? cpu : -1, pinned);
            running.add(view);
            try
            {
                body.run();
            }
            finally
            {
                running.remove(view);
            }
        };
    }

    /** The threads running now. */
    public List<PlacementView.IoThreadView> views()
    {
        return List.copyOf(running);
    }

    private boolean pin(final String name, final int cpu)
    {
        final int errno = CpuAffinity.pinCurrentThread(cpu);
        if (0 != errno)
        {
            LOG.warn("{} I/O thread {}: pinning to cpu {} refused (errno {}); running unpinned", type, name, cpu, errno);
            return false;
        }
        return true;
    }
}
