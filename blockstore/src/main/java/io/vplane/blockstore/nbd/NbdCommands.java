package io.vplane.blockstore.nbd;

import io.vplane.blockstore.request.BlockError;
import io.vplane.blockstore.request.BlockFlags;
import io.vplane.blockstore.request.BlockOp;

/**
 * The one place NBD commands, command flags and error values are translated to and from block
 * requests. The command was checked ({@link RequestCheck}) before it is translated.
 */
final class NbdCommands
{
    /** Indexed by NBD command type; null for NBD_CMD_DISC, which never becomes a block request. */
    private static final BlockOp[] OPS = new BlockOp[NbdProtocol.COMMAND_TYPES];

    static
    {
        OPS[NbdProtocol.CMD_READ] = BlockOp.READ;
        OPS[NbdProtocol.CMD_WRITE] = BlockOp.WRITE;
        OPS[NbdProtocol.CMD_FLUSH] = BlockOp.FLUSH;
        OPS[NbdProtocol.CMD_TRIM] = BlockOp.TRIM;
        OPS[NbdProtocol.CMD_CACHE] = BlockOp.CACHE;
        OPS[NbdProtocol.CMD_WRITE_ZEROES] = BlockOp.WRITE_ZEROES;
        OPS[NbdProtocol.CMD_BLOCK_STATUS] = BlockOp.BLOCK_STATUS;
    }

    private NbdCommands()
    {
    }

    static BlockOp op(final int type)
    {
        return OPS[type];
    }

    static int flags(final int commandFlags)
    {
        int flags = 0;
        if (0 != (commandFlags & NbdProtocol.CMD_FLAG_FUA))
        {
            flags |= BlockFlags.FUA;
        }
        if (0 != (commandFlags & NbdProtocol.CMD_FLAG_NO_HOLE))
        {
            flags |= BlockFlags.NO_HOLE;
        }
        if (0 != (commandFlags & NbdProtocol.CMD_FLAG_FAST_ZERO))
        {
            flags |= BlockFlags.FAST_ZERO;
        }
        if (0 != (commandFlags & NbdProtocol.CMD_FLAG_DF))
        {
            flags |= BlockFlags.WHOLE_READ;
        }
        if (0 != (commandFlags & NbdProtocol.CMD_FLAG_REQ_ONE))
        {
            flags |= BlockFlags.ONE_EXTENT;
        }
        return flags;
    }

    /** NBD proto.md: "Error values" are the Linux errno values of the same names. */
    static int error(final BlockError error)
    {
        return error.errno();
    }

    /** NBD proto.md: once structured replies are negotiated, a READ or BLOCK_STATUS error is an ERROR chunk. */
    static boolean answeredInChunks(final BlockOp op)
    {
        return BlockOp.READ == op || BlockOp.BLOCK_STATUS == op;
    }
}
