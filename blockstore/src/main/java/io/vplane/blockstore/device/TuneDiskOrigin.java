package io.vplane.blockstore.device;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.vplane.blockstore.disk.Disk;
import io.vplane.blockstore.request.BlockError;
import io.vplane.blockstore.request.BlockOrigin;
import io.vplane.blockstore.request.BlockQueue;
import io.vplane.blockstore.request.BlockRequest;
import io.vplane.blockstore.request.ReplyLayout;
import io.vplane.blockstore.request.SocketSplicer;
import io.vplane.engine.device.RequestLatency;
import org.agrona.concurrent.OneToOneConcurrentArrayQueue;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The built-in tuning load's front end on one disk queue, in place of an NBD connection: a fixed
 * set of request entries the load fills and offers, which the blk worker completes here. Each
 * completion records the request's latency from its offer time and hands the entry back through an
 * allocation-free single-producer queue. Replies carry bare data ({@link BareDataLayout}).
 */
final class TuneDiskOrigin implements BlockOrigin
{
    private final Disk disk;
    private BlockQueue queue;
    private final OneToOneConcurrentArrayQueue<BlockRequest> free;
    /** Written by the worker that polls {@link #queue} only. */
    private final RequestLatency latency = new RequestLatency();
    private final AtomicLong failed = new AtomicLong();
    private final int depth;
    /** An entry the queue refused, kept by the load's thread for the next try (the free queue has one producer: the worker). */
    private BlockRequest held;
    private volatile boolean gone;

    TuneDiskOrigin(final Disk disk, final int depth)
    {
        this.disk = disk;
        this.depth = depth;
        this.free = new OneToOneConcurrentArrayQueue<>(depth);
        for (int i = 0; i < depth; i++)
        {
            free.offer(new BlockRequest(this));
        }
    }

    /** Attaches to the disk's next queue, as a connection does. @return false when the disk takes no front end now */
    boolean attach()
    {
        queue = disk.attach(this);
        return null != queue;
    }

    /** Stops being a front end of the disk (its requests all completed). */
    void detach()
    {
        gone = true;
        disk.detach(this);
    }

    BlockQueue queue()
    {
        return queue;
    }

    long diskBytes()
    {
        return disk.sizeBytes();
    }

    /** The load's thread: an entry to fill, or null when all are in flight. */
    BlockRequest take()
    {
        final BlockRequest request = held;
        if (null != request)
        {
            held = null;
            return request;
        }
        return free.poll();
    }

    /** The load's thread: an entry {@link BlockQueue#offer} refused. */
    void giveBack(final BlockRequest request)
    {
        held = request;
    }

    /** Requests offered and not yet completed; after the load's thread ended. */
    int inFlight()
    {
        return depth - free.size() - (null == held ? 0 : 1);
    }

    RequestLatency latency()
    {
        return latency;
    }

    long failed()
    {
        return failed.get();
    }

    @Override
    public void complete(final BlockRequest request)
    {
        latency.record(System.nanoTime() - request.receivedNs());
        if (BlockError.NONE != request.error())
        {
            failed.incrementAndGet();
        }
        final ByteBuf reply = request.takeReply();
        if (null != reply)
        {
            reply.release();
        }
        free.offer(request);
    }

    @Override
    public void publish()
    {
    }

    @Override
    public ByteBufAllocator alloc()
    {
        return PooledByteBufAllocator.DEFAULT;
    }

    @Override
    public ReplyLayout layout()
    {
        return BareDataLayout.INSTANCE;
    }

    /** So a READ copies its data, as it does for a TLS connection, rather than lend mapped memory. */
    @Override
    public boolean encrypted()
    {
        return true;
    }

    @Override
    public boolean gone()
    {
        return gone;
    }

    @Override
    public SocketSplicer splicer()
    {
        return null;
    }

    @Override
    public void returnSocket(final BlockRequest rest)
    {
    }

    @Override
    public void finishAndClose()
    {
        gone = true;
    }

    @Override
    public void close()
    {
        gone = true;
    }
}
