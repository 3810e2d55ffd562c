package io.vplane.blockstore.qos;

import io.vplane.blockstore.request.BlockFlags;
import io.vplane.blockstore.request.BlockOp;
import io.vplane.blockstore.request.BlockRequest;

/**
 * What each command costs against a disk's QoS ({@code nbd.qos.costs}). Every command is charged,
 * so no command type bypasses a limit:
 * <pre>
 * READ                    read:  ops(length), length bytes
 * BLOCK_STATUS, CACHE     read:  1 op, 0 bytes
 * WRITE                   write: ops(length), length bytes
 * FLUSH                   write: 1 op, flushBytes
 * TRIM                    write: 1 op, length * trimPercent / 100 bytes
 * WRITE_ZEROES            write: 1 op, length * zeroesPercent / 100 bytes (100% with NO_HOLE: zeros are written)
 * ops(length) = max(1, ceil(length / iopsSizeBytes)), or 1 when iopsSizeBytes is 0 (as QEMU's iops-size)
 * </pre>
 *
 * @param iopsSizeBytes a READ or WRITE counts as one operation per this many bytes; 0: one per request
 * @param flushBytes    bytes a FLUSH is charged (the write-back it may cause)
 * @param trimPercent   share of a TRIM's length charged as bytes written
 * @param zeroesPercent share of a WRITE_ZEROES' length charged as bytes written, unless NO_HOLE
 */
public record QosCosts(long iopsSizeBytes, long flushBytes, int trimPercent, int zeroesPercent)
{
    public static final QosCosts DEFAULTS = new QosCosts(128 * 1024, 1024 * 1024, 1, 1);

    /** Whether the request is charged to the write dimensions. */
    public static boolean isWrite(final BlockRequest request)
    {
        final BlockOp op = request.op();
        return BlockOp.READ != op && BlockOp.BLOCK_STATUS != op && BlockOp.CACHE != op;
    }

    public long ops(final BlockRequest request)
    {
        final BlockOp op = request.op();
        if ((BlockOp.READ == op || BlockOp.WRITE == op) && iopsSizeBytes > 0)
        {
            return Math.max(1, (request.length() + iopsSizeBytes - 1) / iopsSizeBytes);
        }
        return 1;
    }

    public long bytes(final BlockRequest request)
    {
        return switch (request.op())
        {
            case READ, WRITE -> request.length();
            case FLUSH -> flushBytes;
            case TRIM -> request.length() / 100 * trimPercent;
            case WRITE_ZEROES -> request.hasFlag(BlockFlags.NO_HOLE) ? request.length() : request.length() / 100 * zeroesPercent;
            default -> 0;
        };
    }
}
