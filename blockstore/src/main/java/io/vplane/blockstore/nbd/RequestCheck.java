package io.vplane.blockstore.nbd;

/**
 * Checks a request against the export before it is queued, returning the error proto.md
 * prescribes: unknown command or flag, zero length, out of range, read-only, too long.
 */
final class RequestCheck
{
    private static final int FLAGS_ANY = NbdProtocol.CMD_FLAG_FUA;

    private RequestCheck()
    {
    }

    /** @return 0 when the request may run, else the NBD error value to reply with */
    static int check(
        final int type,
        final int flags,
        final long offset,
        final long length,
        final Export export,
        final boolean structured,
        final boolean blockStatusEnabled,
        final int alignment)
    {
        if (type >= NbdProtocol.COMMAND_TYPES)
        {
            return NbdProtocol.EINVAL;
        }
        if (0 != (flags & ~allowedFlags(type)))
        {
            return NbdProtocol.EINVAL;
        }
        if (0 != (flags & NbdProtocol.CMD_FLAG_DF) && !structured)
        {
            return NbdProtocol.EINVAL;
        }
        if (NbdProtocol.CMD_FLUSH == type)
        {
            return 0;
        }
        final boolean modifies = NbdProtocol.CMD_WRITE == type || NbdProtocol.CMD_WRITE_ZEROES == type ||
            NbdProtocol.CMD_TRIM == type;
        if (modifies && export.readOnly())
        {
            return NbdProtocol.EPERM;
        }
        if (0 == length)
        {
            return NbdProtocol.EINVAL;
        }
        if (NbdProtocol.CMD_BLOCK_STATUS != type && 0 != ((offset | length) & (alignment - 1)))
        {
            // proto.md "Block size constraints": misaligned to the advertised minimum block.
            return NbdProtocol.EINVAL;
        }
        if (NbdProtocol.CMD_READ == type && length > NbdProtocol.MAX_PAYLOAD_BYTES)
        {
            // proto.md: EOVERFLOW tells a structured-reply client the length, not the range, was the problem.
            return structured ? NbdProtocol.EOVERFLOW : NbdProtocol.EINVAL;
        }
        final long size = export.sizeBytes();
        if (offset < 0 || offset > size || length > size - offset)
        {
            // proto.md: writing past the end is ENOSPC, any other access past the end EINVAL.
            return NbdProtocol.CMD_WRITE == type || NbdProtocol.CMD_WRITE_ZEROES == type ?
                NbdProtocol.ENOSPC : NbdProtocol.EINVAL;
        }
        if (NbdProtocol.CMD_BLOCK_STATUS == type && !blockStatusEnabled)
        {
            return NbdProtocol.EINVAL;
        }
        return 0;
    }

    private static int allowedFlags(final int type)
    {
        return switch (type)
        {
            case NbdProtocol.CMD_READ -> FLAGS_ANY | NbdProtocol.CMD_FLAG_DF;
            case NbdProtocol.CMD_WRITE_ZEROES -> FLAGS_ANY | NbdProtocol.CMD_FLAG_NO_HOLE | NbdProtocol.CMD_FLAG_FAST_ZERO;
            case NbdProtocol.CMD_BLOCK_STATUS -> FLAGS_ANY | NbdProtocol.CMD_FLAG_REQ_ONE;
            default -> FLAGS_ANY;
        };
    }
}
