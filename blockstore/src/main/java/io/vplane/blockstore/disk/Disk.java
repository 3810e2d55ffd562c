package io.vplane.blockstore.disk;

import io.vplane.blockstore.nbd.Export;
import io.vplane.blockstore.nbd.RequestSink;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * A virtual disk as the NBD server sees it: an export owned by a tenant, whose connections are
 * spread round-robin over the disk's queues.
 */
public final class Disk implements Export
{
    private final String name;
    private final String description;
    private final long sizeBytes;
    private final boolean readOnly;
    private final int minBlockBytes;
    private final Tenant tenant;
    private final List<? extends RequestSink> queues;
    private final AtomicInteger nextQueue = new AtomicInteger();
    private final IntConsumer errorCounter;
    private volatile boolean accepting = true;

    public Disk(
        final String name,
        final String description,
        final long sizeBytes,
        final boolean readOnly,
        final int minBlockBytes,
        final Tenant tenant,
        final List<? extends RequestSink> queues,
        final IntConsumer errorCounter)
    {
        this.name = name;
        this.description = description;
        this.sizeBytes = sizeBytes;
        this.readOnly = readOnly;
        this.minBlockBytes = minBlockBytes;
        this.tenant = tenant;
        this.queues = List.copyOf(queues);
        this.errorCounter = errorCounter;
    }

    @Override
    public String name()
    {
        return name;
    }

    @Override
    public String description()
    {
        return description;
    }

    @Override
    public long sizeBytes()
    {
        return sizeBytes;
    }

    @Override
    public boolean readOnly()
    {
        return readOnly;
    }

    @Override
    public int minBlockBytes()
    {
        return minBlockBytes;
    }

    @Override
    public boolean requiresTls()
    {
        return tenant.requireTls();
    }

    @Override
    public void countError(final int errno)
    {
        errorCounter.accept(errno);
    }

    public Tenant tenant()
    {
        return tenant;
    }

    @Override
    public RequestSink attach()
    {
        if (!accepting)
        {
            return null;
        }
        return queues.get(Math.floorMod(nextQueue.getAndIncrement(), queues.size()));
    }

    /** New connections are refused from now on; open ones keep working until the device closes. */
    public void stopAccepting()
    {
        accepting = false;
    }
}
