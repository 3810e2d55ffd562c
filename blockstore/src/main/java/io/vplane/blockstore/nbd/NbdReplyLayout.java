package io.vplane.blockstore.nbd;

import io.netty.buffer.ByteBuf;
import io.vplane.blockstore.request.BlockRequest;
import io.vplane.blockstore.request.ReplyLayout;

/**
 * How a blk worker lays out the NBD replies it builds whole: a simple reply followed by the data,
 * or, once structured replies are negotiated (NBD proto.md: "Structured replies"), OFFSET_HOLE and
 * OFFSET_DATA chunks for a READ and one BLOCK_STATUS chunk of base:allocation extents. Stateless.
 */
final class NbdReplyLayout implements ReplyLayout
{
    static final NbdReplyLayout SIMPLE = new NbdReplyLayout(false);
    static final NbdReplyLayout STRUCTURED = new NbdReplyLayout(true);

    /** A hole chunk is the longest header that carries no data. */
    private static final int CHUNK_OVERHEAD = ReplyEncoder.CHUNK_HEADER_LENGTH + ReplyEncoder.OFFSET_HOLE_PAYLOAD;

    private final boolean structured;

    private NbdReplyLayout(final boolean structured)
    {
        this.structured = structured;
    }

    @Override
    public int segmentHeaderBytes()
    {
        return structured ? CHUNK_OVERHEAD : ReplyEncoder.SIMPLE_REPLY_LENGTH;
    }

    @Override
    public boolean reportsHoles()
    {
        return structured;
    }

    @Override
    public void hole(final ByteBuf out, final BlockRequest request, final long offset, final int length, final boolean last)
    {
        // Only asked for when reportsHoles(): a simple reply carries the zeros as data.
        ReplyEncoder.holeChunk(out, last ? NbdProtocol.REPLY_FLAG_DONE : 0, request.tag(), offset, length);
    }

    @Override
    public void data(final ByteBuf out, final BlockRequest request, final long offset, final int length, final boolean last)
    {
        if (structured)
        {
            ReplyEncoder.dataChunkHeader(out, last ? NbdProtocol.REPLY_FLAG_DONE : 0, request.tag(), offset, length);
        }
        else
        {
            ReplyEncoder.simpleReply(out, 0, request.tag());
        }
    }

    @Override
    public int extentsBytes(final int maxExtents)
    {
        return ReplyEncoder.CHUNK_HEADER_LENGTH + ReplyEncoder.BLOCK_STATUS_PREFIX +
            ReplyEncoder.BLOCK_STATUS_EXTENT * maxExtents;
    }

    @Override
    public void extentsStart(final ByteBuf out)
    {
        out.writerIndex(out.writerIndex() + ReplyEncoder.CHUNK_HEADER_LENGTH);
        out.writeInt(NbdProtocol.BASE_ALLOCATION_ID);
    }

    @Override
    public void extent(final ByteBuf out, final int length, final boolean hole)
    {
        out.writeInt(length).writeInt(hole ? NbdProtocol.STATE_HOLE | NbdProtocol.STATE_ZERO : 0);
    }

    @Override
    public void extentsEnd(final ByteBuf out, final BlockRequest request, final int extents)
    {
        final int payload = ReplyEncoder.BLOCK_STATUS_PREFIX + ReplyEncoder.BLOCK_STATUS_EXTENT * extents;
        final int written = out.writerIndex();
        out.writerIndex(0);
        ReplyEncoder.chunkHeader(out, NbdProtocol.REPLY_FLAG_DONE, NbdProtocol.REPLY_TYPE_BLOCK_STATUS, request.tag(),
            payload);
        out.writerIndex(written);
    }
}
