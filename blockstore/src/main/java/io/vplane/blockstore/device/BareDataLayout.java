package io.vplane.blockstore.device;

import io.netty.buffer.ByteBuf;
import io.vplane.blockstore.request.BlockRequest;
import io.vplane.blockstore.request.ReplyLayout;

/**
 * Replies with no protocol around them: a READ is its data alone, a BLOCK_STATUS nothing. For front
 * ends inside the daemon (the built-in tuning load) that only need the request done.
 */
enum BareDataLayout implements ReplyLayout
{
    INSTANCE;

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
    public void hole(final ByteBuf out, final BlockRequest request, final long offset, final int length, final boolean last)
    {
    }

    @Override
    public void data(final ByteBuf out, final BlockRequest request, final long offset, final int length, final boolean last)
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
