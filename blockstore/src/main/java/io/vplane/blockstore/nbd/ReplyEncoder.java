package io.vplane.blockstore.nbd;

import io.netty.buffer.ByteBuf;

/**
 * Writes the server's messages (proto.md: "Option reply", "Simple reply message", "Structured
 * reply chunk message"), big-endian. Layouts:
 * <pre>
 *  option reply (20 + n)         simple reply (16)           structured chunk header (20)
 *  0  magic 0x3e889045565a9 (64) 0  magic 0x67446698 (32)    0  magic 0x668e33ef (32)
 *  8  option (32)                4  error (32)               4  flags (16)   6  type (16)
 *  12 reply type (32)            8  cookie (64)              8  cookie (64)
 *  16 length n (32)                                          16 length of payload (32)
 *  20 data (n)                                               20 payload ...
 * </pre>
 */
public final class ReplyEncoder
{
    public static final int OPTION_REPLY_HEADER_LENGTH = 20;
    public static final int SIMPLE_REPLY_LENGTH = 16;
    public static final int CHUNK_HEADER_LENGTH = 20;
    /** OFFSET_DATA payload starts with the 64-bit offset. */
    public static final int OFFSET_DATA_PREFIX = 8;
    /** OFFSET_HOLE payload: 64-bit offset, 32-bit hole size. */
    public static final int OFFSET_HOLE_PAYLOAD = 12;
    /** ERROR payload without a message: 32-bit error, 16-bit message length. */
    public static final int ERROR_PAYLOAD = 6;
    /** BLOCK_STATUS payload: 32-bit context id, then 8 bytes per extent. */
    public static final int BLOCK_STATUS_PREFIX = 4;
    public static final int BLOCK_STATUS_EXTENT = 8;

    private ReplyEncoder()
    {
    }

    public static void optionReply(final ByteBuf out, final int option, final int replyType, final int dataLength)
    {
        out.writeLong(NbdProtocol.OPTION_REPLY_MAGIC).writeInt(option).writeInt(replyType).writeInt(dataLength);
    }

    public static void simpleReply(final ByteBuf out, final int error, final long cookie)
    {
        out.writeInt(NbdProtocol.SIMPLE_REPLY_MAGIC).writeInt(error).writeLong(cookie);
    }

    public static void chunkHeader(
        final ByteBuf out, final int flags, final int type, final long cookie, final int payloadLength)
    {
        out.writeInt(NbdProtocol.STRUCTURED_REPLY_MAGIC).writeShort(flags).writeShort(type).writeLong(cookie)
            .writeInt(payloadLength);
    }

    /** A final ERROR chunk with no message. */
    public static void errorChunk(final ByteBuf out, final int error, final long cookie)
    {
        chunkHeader(out, NbdProtocol.REPLY_FLAG_DONE, NbdProtocol.REPLY_TYPE_ERROR, cookie, ERROR_PAYLOAD);
        out.writeInt(error).writeShort(0);
    }

    public static void holeChunk(final ByteBuf out, final int flags, final long cookie, final long offset, final int length)
    {
        chunkHeader(out, flags, NbdProtocol.REPLY_TYPE_OFFSET_HOLE, cookie, OFFSET_HOLE_PAYLOAD);
        out.writeLong(offset).writeInt(length);
    }

    /** Header and offset of an OFFSET_DATA chunk; the caller writes {@code dataLength} bytes after it. */
    public static void dataChunkHeader(
        final ByteBuf out, final int flags, final long cookie, final long offset, final int dataLength)
    {
        chunkHeader(out, flags, NbdProtocol.REPLY_TYPE_OFFSET_DATA, cookie, OFFSET_DATA_PREFIX + dataLength);
        out.writeLong(offset);
    }
}
