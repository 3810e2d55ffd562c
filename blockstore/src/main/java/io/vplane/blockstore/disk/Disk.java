package io.vplane.blockstore.disk;

import io.vplane.blockstore.nbd.Export;
import io.vplane.blockstore.request.BlockOrigin;
import io.vplane.blockstore.request.BlockQueue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * A virtual disk as the NBD server sees it: an export owned by a tenant, whose connections are
 * spread round-robin over the disk's queues. Its size and tenant may change while it runs (resize,
 * reload); both are read once per new connection, and the size again by each request's bounds check.
 */
public final class Disk implements Export
{
    private final String name;
    private final String description;
    private volatile long sizeBytes;
    private final boolean readOnly;
    private final int minBlockBytes;
    private volatile Tenant tenant;
    private final List<? extends BlockQueue> queues;
    private final AtomicInteger nextQueue = new AtomicInteger();
    private final IntConsumer errorCounter;
    /** Guarded by this: connections in the transmission phase, and whether new ones are taken. */
    private final Set<BlockOrigin> connections = new HashSet<>();
    private boolean accepting = true;

    public Disk(
        final String name,
        final String description,
        final long sizeBytes,
        final boolean readOnly,
        final int minBlockBytes,
        final Tenant tenant,
        final List<? extends BlockQueue> queues,
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

    /** New connections see the new rules; open ones were admitted under the old ones and keep going. */
    public void retenant(final Tenant newTenant)
    {
        tenant = newTenant;
    }

    /** New connections are told this size; requests of every connection are checked against it. */
    public void resize(final long newSizeBytes)
    {
        sizeBytes = newSizeBytes;
    }

    @Override
    public synchronized BlockQueue attach(final BlockOrigin connection)
    {
        if (!accepting)
        {
            return null;
        }
        connections.add(connection);
        return queues.get(Math.floorMod(nextQueue.getAndIncrement(), queues.size()));
    }

    @Override
    public synchronized void detach(final BlockOrigin connection)
    {
        connections.remove(connection);
    }

    /** Connections in the transmission phase now. */
    public synchronized int connections()
    {
        return connections.size();
    }

    /**
     * New connections are refused from now on.
     *
     * @return the connections open at this moment; no other can attach later
     */
    public synchronized List<BlockOrigin> stopAccepting()
    {
        accepting = false;
        return new ArrayList<>(connections);
    }
}
