package io.vplane.blockstore.device;

import io.vplane.blockstore.backend.StorageBackend;
import io.vplane.blockstore.request.BlockError;
import io.vplane.blockstore.request.BlockOrigin;
import io.vplane.blockstore.request.BlockRequest;
import io.vplane.blockstore.request.SocketSplicer;
import io.vplane.engine.errors.ErrorLog;
import io.vplane.engine.linux.Errno;

import java.io.IOException;

/**
 * Receives the part of a large WRITE's data still on the client's socket straight into the image,
 * on the blk worker: socket → pipe → page cache with splice(2), so the data is copied once, by the
 * kernel, where an event loop receiving it would copy it into a buffer and this worker again into
 * the image (the copy nbdkit saves by receiving and writing on one thread, which this does too).
 *
 * <p>A client that stops sending mid-WRITE must not hold the worker, which serves other disks: the
 * worker waits for data at most {@link #WAIT_BUDGET_NS} in all, then hands the rest back to the
 * event loop, which receives it like any request.
 */
final class SocketPayloadReceiver
{
    /** All the data arrived and went to the disk (or its error is in the request). */
    static final int RECEIVED = 0;
    /** The client sent too slowly: the request now stands for the rest, which the event loop receives. */
    static final int HANDED_BACK = 1;
    /** The connection ended before all the data arrived; nothing is left to reply to. */
    static final int ABANDONED = 2;
    /** Time one WRITE may keep its worker waiting for data, in all. */
    private static final long WAIT_BUDGET_NS = 2_000_000;
    private static final int WAIT_SLICE_MS = 1;

    private final String disk;
    private final StorageBackend backend;
    private final DiskMetrics metrics;
    private final ErrorLog errors;

    SocketPayloadReceiver(final String disk, final StorageBackend backend, final DiskMetrics metrics, final ErrorLog errors)
    {
        this.disk = disk;
        this.backend = backend;
        this.metrics = metrics;
        this.errors = errors;
    }

    /**
     * Receives the request's {@link BlockRequest#socketBytes()} into the disk from {@code position},
     * then gives the socket back to the connection's event loop.
     *
     * @return {@link #RECEIVED}, {@link #HANDED_BACK} or {@link #ABANDONED}
     */
    int receive(final BlockRequest request, final long position)
    {
        final BlockOrigin connection = request.origin();
        final SocketSplicer splicer = connection.splicer();
        long at = position;
        int remaining = request.socketBytes();
        long waitedNs = 0;
        int outcome = RECEIVED;
        while (remaining > 0)
        {
            if (connection.gone())
            {
                outcome = ABANDONED;
                break;
            }
            final long moved = splicer.fill(remaining);
            if (moved > 0)
            {
                store(request, splicer, at, (int)moved);
                at += moved;
                remaining -= (int)moved;
            }
            else if (-Errno.EAGAIN == moved)
            {
                if (waitedNs >= WAIT_BUDGET_NS)
                {
                    outcome = HANDED_BACK;
                    break;
                }
                final long start = System.nanoTime();
                splicer.await(WAIT_SLICE_MS);
                waitedNs += System.nanoTime() - start;
            }
            else if (-Errno.EINTR != moved)
            {
                // 0: the client closed; otherwise the socket failed (reset).
                outcome = ABANDONED;
                break;
            }
        }
        metrics.splicedWrites.increment();
        if (HANDED_BACK == outcome)
        {
            metrics.spliceStalls.increment();
            request.remainderAt(at, remaining);
            connection.returnSocket(request);
        }
        else
        {
            request.socketReceived();
            connection.returnSocket(null);
        }
        return outcome;
    }

    /** Writes what {@link SocketSplicer#fill} moved; after a failure, only empties the pipe. */
    private void store(final BlockRequest request, final SocketSplicer splicer, final long at, final int length)
    {
        if (BlockError.NONE == request.deferredError())
        {
            try
            {
                backend.writeFromPipe(at, splicer.pipe(), length);
                metrics.writtenBytes.getAndAdd(length);
                return;
            }
            catch (final IOException | RuntimeException ex)
            {
                request.fail(RequestExecutor.ioFailure(errors, disk, request, ex));
            }
        }
        splicer.drain();
    }
}
