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
    }

    @Override
    public void publish()
    {
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
