package io.vplane.blockstore.nbd;

import io.netty.buffer.ByteBuf;

/**
 * Flyweight over a client option request (proto.md: "Option haggling"), big-endian:
 * <pre>
 *  +---------------------------------------------------------------+
 *  |                 magic IHAVEOPT (64 bits)                      |  0
 *  +---------------------------------------------------------------+
 *  |                       option (32 bits)                        |  8
 *  +---------------------------------------------------------------+
 *  |                  length of data (32 bits)                     | 12
 *  +---------------------------------------------------------------+
 *  |                  data (length bytes) ...                      | 16
 * </pre>
 */
public final class OptionHeader
{
    public static final int MAGIC_OFFSET = 0;
    public static final int OPTION_OFFSET = 8;
    public static final int DATA_LENGTH_OFFSET = 12;
    public static final int LENGTH = 16;

    private ByteBuf buffer;
    private int base;

    public OptionHeader wrap(final ByteBuf buffer, final int index)
    {
        this.buffer = buffer;
        this.base = index;
        return this;
    }

    public boolean hasValidMagic()
    {
        return NbdProtocol.IHAVEOPT == buffer.getLong(base + MAGIC_OFFSET);
    }

    public int option()
    {
        return buffer.getInt(base + OPTION_OFFSET);
    }

    public long dataLength()
    {
        return buffer.getUnsignedInt(base + DATA_LENGTH_OFFSET);
    }
}
