package io.vplane.blockstore.device;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.vplane.blockstore.request.BlockOrigin;
import io.vplane.blockstore.request.BlockRequest;
import io.vplane.blockstore.request.ReplyLayout;
import io.vplane.blockstore.request.SocketSplicer;

import java.util.ArrayList;
import java.util.List;

/** A front end that keeps what completed, in order; READ data without headers. */
final class RecordingOrigin implements BlockOrigin
{
    final List<BlockRequest> completed = new ArrayList<>();
    /** Threads {@link #complete} ran on, in order. */
    final List<String> completingThreads = new ArrayList<>();
    final boolean anyThread;
    int published;

    RecordingOrigin()
    {
        this(false);
    }

    /** @param anyThread takes replies from any thread (as an NBD connection does); the test completes one at a time */
    RecordingOrigin(final boolean anyThread)
    {
        this.anyThread = anyThread;
    }

    @Override
    public boolean repliesFromAnyThread()
    {
        return anyThread;
    }

    @Override
    public ByteBufAllocator alloc()
    {
        return UnpooledByteBufAllocator.DEFAULT;
    }

    @Override
    public ReplyLayout layout()
    {
        return BareDataLayout.INSTANCE;
    }

    @Override
    public boolean encrypted()
    {
        return true;
    }

    @Override
    public void complete(final BlockRequest request)
    {
        completed.add(request);
        completingThreads.add(Thread.currentThread().getName());
    }

    @Override
    public void publish()
    {
        published++;
    }

    @Override
    public boolean gone()
    {
        return false;
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
    }

    @Override
    public void close()
    {
    }
}
