package io.vplane.blockstore.device;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.vplane.blockstore.request.BlockOrigin;
import io.vplane.blockstore.request.BlockRequest;
import io.vplane.blockstore.request.ReplyLayout;
import io.vplane.blockstore.request.SocketSplicer;

import java.util.ArrayList;
import java.util.List;

/** A front end that keeps what completed, in order; READ data without headers. */
final class RecordingOrigin implements BlockOrigin, ReplyLayout
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
        return this;
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

    @Override
    public int segmentHeaderBytes()
    {
        return 0;
    }

    @Override
    public boolean reportsHoles()
    {
        return false;
    }

    @Override
    public void hole(final ByteBuf out, final BlockRequest request, final long offset, final int length,
        final boolean last)
    {
    }

    @Override
    public void data(final ByteBuf out, final BlockRequest request, final long offset, final int length,
        final boolean last)
    {
    }

    @Override
    public int extentsBytes(final int maxExtents)
    {
        return 0;
    }

    @Override
    public void extentsStart(final ByteBuf out)
    {
    }

    @Override
    public void extent(final ByteBuf out, final int length, final boolean hole)
    {
    }

    @Override
    public void extentsEnd(final ByteBuf out, final BlockRequest request, final int extents)
    {
    }
}
