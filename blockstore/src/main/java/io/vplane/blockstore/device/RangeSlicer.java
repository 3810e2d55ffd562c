package io.vplane.blockstore.device;

import io.vplane.blockstore.backend.StorageBackend;
import io.vplane.blockstore.request.BlockError;
import io.vplane.blockstore.request.BlockFlags;
import io.vplane.blockstore.request.BlockOp;
import io.vplane.blockstore.request.BlockRequest;
import io.vplane.engine.errors.ErrorLog;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * Runs a long WRITE_ZEROES or TRIM one slice per poll, behind the requests that came meanwhile:
 * zeroing 4 GiB where the file system cannot punch holes writes 4 GiB, and the other tenants of
 * the worker wait for one slice at most (a few milliseconds), not for the whole range. Worker only,
 * but for {@link #backlog()}.
 */
final class RangeSlicer
{
    private final String disk;
    /** Ranges longer than this are sliced; a slice is this long (nbd.limits.zeroSliceBytes). */
    private final long sliceBytes;
    private final StorageBackend backend;
    private final DiskMetrics metrics;
    private final ErrorLog errors;
    /** Gets each request once it is done, with its outcome set. */
    private final Consumer<BlockRequest> done;
    private final ArrayDeque<BlockRequest> underWay = new ArrayDeque<>(64);
    /** {@link #underWay}'s size for the control thread that waits for a disk to drain. */
    private volatile int underWaySeen;

    RangeSlicer(
        final String disk, final long sliceBytes, final StorageBackend backend, final DiskMetrics metrics,
        final ErrorLog errors, final Consumer<BlockRequest> done)
    {
        this.disk = disk;
        this.sliceBytes = sliceBytes;
        this.backend = backend;
        this.metrics = metrics;
        this.errors = errors;
        this.done = done;
    }

    /** Takes {@code request} when it is a range too long to run at once. */
    boolean take(final BlockRequest request)
    {
        if (request.length() <= sliceBytes || (BlockOp.WRITE_ZEROES != request.op() && BlockOp.TRIM != request.op()))
        {
            return false;
        }
        underWay.addLast(request);
        underWaySeen = underWay.size();
        return true;
    }

    /** Runs one slice of the range at the head, then puts it back behind the others, or completes it. @return 1 when it did a slice */
    int step()
    {
        final BlockRequest request = underWay.pollFirst();
        if (null == request)
        {
            return 0;
        }
        final long slice = Math.min(sliceBytes, request.length());
        BlockError error = BlockError.NONE;
        try
        {
            if (BlockOp.TRIM == request.op())
            {
                backend.trim(request.offset(), slice);
            }
            else if (StorageBackend.NOT_FAST == backend.writeZeroes(request.offset(), slice,
                !request.hasFlag(BlockFlags.NO_HOLE), request.hasFlag(BlockFlags.FAST_ZERO)))
            {
                // A fast zero that cannot be honoured fails as unsupported (NBD proto.md: NBD_CMD_FLAG_FAST_ZERO).
                error = BlockError.NOT_SUPPORTED;
            }
            if (BlockError.NONE == error && slice == request.length() && request.hasFlag(BlockFlags.FUA))
            {
                backend.flush();
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            error = RequestExecutor.ioFailure(errors, disk, request, ex);
        }
        if (BlockError.NONE == error && slice < request.length())
        {
            request.skip(slice);
            underWay.addLast(request);
        }
        else
        {
            if (BlockError.NONE != error)
            {
                metrics.countError(error.errno());
            }
            request.completeWith(null, error);
            done.accept(request);
        }
        underWaySeen = underWay.size();
        return 1;
    }

    /** Ranges under way; the worker only. */
    int waiting()
    {
        return underWay.size();
    }

    /** Ranges under way; any thread. */
    int backlog()
    {
        return underWaySeen;
    }
}
