package io.vplane.blockstore.request;

import io.netty.buffer.ByteBuf;

/**
 * The front end's wire layout for the replies a blk worker builds whole, headers and data in one
 * buffer, so they go out in one write: a READ as its data (in segments when the front end reports
 * holes), a BLOCK_STATUS as its extents. The worker decides what the range holds; the layout
 * decides how that is written.
 */
public interface ReplyLayout
{
    /** Bytes one segment header takes at most. */
    int segmentHeaderBytes();

    /** Whether a READ is described hole by hole ({@link #hole}); if not, it is one {@link #data} segment. */
    boolean reportsHoles();

    /** A hole of {@code length} zero bytes at {@code offset}, sent without its data. */
    void hole(ByteBuf out, BlockRequest request, long offset, int length, boolean last);

    /** The header before {@code length} bytes of data from {@code offset}, which the caller appends. */
    void data(ByteBuf out, BlockRequest request, long offset, int length, boolean last);

    /** Bytes a BLOCK_STATUS reply of up to {@code maxExtents} extents takes. */
    int extentsBytes(int maxExtents);

    /** Leaves room for the header of a BLOCK_STATUS reply; extents follow. */
    void extentsStart(ByteBuf out);

    void extent(ByteBuf out, int length, boolean hole);

    /** Completes the BLOCK_STATUS reply that began at index 0 of {@code out}, holding {@code extents}. */
    void extentsEnd(ByteBuf out, BlockRequest request, int extents);
}
