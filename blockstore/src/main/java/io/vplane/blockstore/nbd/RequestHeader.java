package io.vplane.blockstore.nbd;

import io.netty.buffer.ByteBuf;

/**
 * Flyweight over a transmission request (proto.md: "Request message"), big-endian:
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                   magic 0x25609513                            |  0
 *  +-------------------------------+-------------------------------+
 *  |        command flags          |             type              |  4
 *  +-------------------------------+-------------------------------+
 *  |                     cookie (64 bits)                          |  8
 *  +---------------------------------------------------------------+
 *  |                     offset (64 bits)                          | 16
 *  +---------------------------------------------------------------+
 *  |                     length (32 bits)                          | 24
 *  +---------------------------------------------------------------+
 * </pre>
 * A WRITE is followed by {@code length} bytes of data.
 */
public final class RequestHeader
{
    public static final int MAGIC_OFFSET = 0;
    public static final int FLAGS_OFFSET = 4;
    public static final int TYPE_OFFSET = 6;
    public static final int COOKIE_OFFSET = 8;
    public static final int OFFSET_OFFSET = 16;
    public static final int LENGTH_OFFSET = 24;
    public static final int LENGTH = 28;

    private ByteBuf buffer;
    private int base;

    public RequestHeader wrap(final ByteBuf buffer, final int index)
    {
        this.buffer = buffer;
        this.base = index;
        return this;
    }

    public boolean hasValidMagic()
    {
        return NbdProtocol.REQUEST_MAGIC == magic();
    }

    public int magic()
    {
        return buffer.getInt(base + MAGIC_OFFSET);
    }

    public int flags()
    {
        return buffer.getUnsignedShort(base + FLAGS_OFFSET);
    }

    public int type()
    {
        return buffer.getUnsignedShort(base + TYPE_OFFSET);
    }

    public long cookie()
    {
        return buffer.getLong(base + COOKIE_OFFSET);
    }

    /** Unsigned on the wire: a value with the top bit set reads negative and is out of range anyway. */
    public long offset()
    {
        return buffer.getLong(base + OFFSET_OFFSET);
    }

    public long length()
    {
        return buffer.getUnsignedInt(base + LENGTH_OFFSET);
    }

    /** Encodes a request; used by tests and a future NBD-client backend. */
    public static void encode(
        final ByteBuf out, final int flags, final int type, final long cookie, final long offset, final int length)
    {
        out.writeInt(NbdProtocol.REQUEST_MAGIC).writeShort(flags).writeShort(type).writeLong(cookie).writeLong(offset)
            .writeInt(length);
    }
}
