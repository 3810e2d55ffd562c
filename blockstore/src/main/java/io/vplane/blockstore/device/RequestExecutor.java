package io.vplane.blockstore.device;

import io.netty.buffer.ByteBuf;
import io.vplane.blockstore.backend.AsyncStorageBackend;
import io.vplane.blockstore.backend.StorageBackend;
import io.vplane.blockstore.backend.SystemCallException;
import io.vplane.blockstore.request.BlockError;
import io.vplane.blockstore.request.BlockFlags;
import io.vplane.blockstore.request.BlockOp;
import io.vplane.blockstore.request.BlockOrigin;
import io.vplane.blockstore.request.BlockRequest;
import io.vplane.blockstore.request.ReplyLayout;
import io.vplane.engine.errors.ErrorLog;
import io.vplane.engine.wakeup.Doorbell;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Runs block requests against the backend on a blk worker. A READ's or BLOCK_STATUS's reply is
 * built whole, in the front end's {@link ReplyLayout}, header and data together, so it goes out in
 * one write (as nbdkit does with MSG_MORE): a small READ's data is read into the reply buffer, a
 * large one's is the mapped image itself ({@link MappedReadReply}). Other requests complete with
 * their {@link BlockError} only. One executor per queue: only the worker draining it calls it.
 */
final class RequestExecutor implements Consumer<BlockRequest>
{
    /** Segments one READ reply is split into at most (holes apart); the rest goes as one data segment. */
    private static final int MAX_READ_SEGMENTS = 16;
    /** The reply of a READ this long or longer sends the mapped image's memory; shorter ones copy. */
    static final int MAPPED_READ_BYTES = 64 * 1024;
    /** Extents one BLOCK_STATUS reply carries at most without REQ_ONE. */
    private static final int MAX_EXTENTS = 64;
    /** Connections remembered per drain; a queue usually serves one or two, more publish at once. */
    private static final int MAX_TOUCHED = 8;
    /**
     * A request moving this much data is answered at once, not at the end of the drain: its reply
     * goes out (and the client sends more) while the next large requests of the batch run.
     */
    private static final int PUBLISH_AT_ONCE_BYTES = 128 * 1024;
    /** Linux errno values that mean "no room for this write". */
    private static final int EFBIG = 27;
    private static final int ENOSPC = 28;
    private static final int EDQUOT = 122;

    private final String disk;
    private final StorageBackend backend;
    private final DiskMetrics metrics;
    private final ErrorLog errors;
    private final ReadReply copiedReply;
    private final ReadReply mappedReply;
    /** Null unless the backend is asynchronous (a remote server): then READ, WRITE, FLUSH, TRIM, WRITE_ZEROES go there. */
    private final RemoteRequests remote;
    /** Holds the one buffer of a remote READ or WRITE while it is submitted. */
    private final ByteBuffer[] remoteData = new ByteBuffer[1];
    /** Null when the backend cannot write from a pipe. */
    private final SocketPayloadReceiver socketPayloads;
    /** Last data extent found with SEEK_DATA/SEEK_HOLE, valid while the backend's hole generation holds. */
    private long knownDataStart;
    private long knownDataEnd;
    private long knownGeneration = -1;
    /** Outcome of the request being executed when it has no reply of its own (execute returns null). */
    private BlockError outcome;
    private final RangeSlicer slicer;
    /** Front ends with requests completed in this drain and not yet published. */
    private final BlockOrigin[] touched = new BlockOrigin[MAX_TOUCHED];
    private int touchedCount;
    /** The queue's completions; written by its worker only, set before the executor serves (see {@link #serves}). */
    private AtomicLong completed = new AtomicLong();

    /** @param zeroSliceBytes a longer WRITE_ZEROES or TRIM runs this many bytes per poll */
    RequestExecutor(
        final String disk, final StorageBackend backend, final DiskMetrics metrics, final ErrorLog errors,
        final long zeroSliceBytes)
    {
        this.disk = disk;
        this.backend = backend;
        this.metrics = metrics;
        this.errors = errors;
        this.copiedReply = new CopiedReadReply(backend);
        this.mappedReply = backend.hasResidentViews() ? new MappedReadReply(backend) : copiedReply;
        this.socketPayloads = backend.writesFromPipes() ? new SocketPayloadReceiver(disk, backend, metrics, errors) : null;
        this.slicer = new RangeSlicer(disk, zeroSliceBytes, backend, metrics, errors, this::completeSliced);
        this.remote = backend instanceof final AsyncStorageBackend async ?
            new RemoteRequests(async.openChannel(), this::finishRemote, this::finishRemoteDirect) : null;
    }

    /**
     * Serves {@code queue}: its doorbell is rung when a remote request completes, and each request
     * completed counts in {@code completed} (the queue's, so the count survives a change of service).
     */
    void serves(final Doorbell doorbell, final AtomicLong completed)
    {
        this.completed = completed;
        if (null != remote)
        {
            remote.wakes(doorbell);
        }
    }

    /** Control thread: a change of service waits for the remote requests to end; the last one wakes the worker. */
    void wakeWhenIdle()
    {
        if (null != remote)
        {
            remote.wakeWhenIdle();
        }
    }

    /** Worker: one slice of a long WRITE_ZEROES or TRIM under way. @return 1 when it did one */
    int continueSliced()
    {
        return slicer.step();
    }

    /** Long ranges under way a slice at a time; the worker only. */
    int slicedWaiting()
    {
        return slicer.waiting();
    }

    /** Worker: finishes the remote requests that completed. @return how many */
    int drainCompletions()
    {
        return null == remote ? 0 : remote.drain();
    }

    /** How many new requests the worker may take, up to {@code limit}: a remote backend bounds those in flight. */
    int room(final int limit)
    {
        return null == remote ? limit : remote.room(limit);
    }

    /** Requests taken from the queue and not finished: at the remote backend, or long ones under way; any thread. */
    long pendingBacklog()
    {
        return (null == remote ? 0 : remote.waiting() + remote.inFlight()) + slicer.backlog();
    }

    int remoteCompletionsWaiting()
    {
        return null == remote ? 0 : remote.waiting();
    }

    void close()
    {
        if (null != remote)
        {
            remote.close();
        }
    }

    /** Whether WRITEs may arrive with their data still on the socket (see {@link SocketPayloadReceiver}). */
    boolean receivesFromSockets()
    {
        return null != socketPayloads;
    }

    @Override
    public void accept(final BlockRequest request)
    {
        final BlockOrigin origin = request.origin();
        if (request.socketBytes() > 0 && !receiveFromSocket(request))
        {
            return;
        }
        if (null != remote && runsRemotely(request))
        {
            submitRemote(request, origin);
            return;
        }
        if (slicer.take(request))
        {
            return;
        }
        ByteBuf reply;
        outcome = BlockError.NONE;
        try
        {
            reply = execute(request, origin);
        }
        catch (final IOException | RuntimeException ex)
        {
            reply = error(ioFailure(errors, disk, request, ex));
        }
        finally
        {
            request.releasePayload();
        }
        request.completeWith(reply, outcome);
        completeToOrigin(request, origin);
    }

    private void completeSliced(final BlockRequest request)
    {
        completeToOrigin(request, request.origin());
    }

    /** Hands the finished request back to its front end; published at once when it moved much data. */
    private void completeToOrigin(final BlockRequest request, final BlockOrigin origin)
    {
        metrics.requests.increment();
        completed.setRelease(completed.getPlain() + 1); // one writer: a plain add, published for readers
        metrics.recordLatencyNs(System.nanoTime() - request.receivedNs());
        // Read before completing: once completed, the entry belongs to the front end again.
        final ByteBuf reply = request.reply();
        final boolean large = request.length() >= PUBLISH_AT_ONCE_BYTES ||
            (null != reply && reply.readableBytes() >= PUBLISH_AT_ONCE_BYTES);
        origin.complete(request);
        if (large)
        {
            origin.publish();
        }
        else
        {
            remember(origin);
        }
    }

    private static boolean runsRemotely(final BlockRequest request)
    {
        final BlockOp op = request.op();
        return (BlockOp.READ == op || BlockOp.WRITE == op || BlockOp.FLUSH == op || BlockOp.TRIM == op ||
            BlockOp.WRITE_ZEROES == op) && BlockError.NONE == request.deferredError();
    }

    /**
     * Starts a request on the remote backend. A READ's reply is built around the data to come: the
     * header now, the data received straight into the reply buffer by the backend.
     */
    private void submitRemote(final BlockRequest request, final BlockOrigin origin)
    {
        ByteBuffer[] data = null;
        if (BlockOp.READ == request.op())
        {
            final int length = request.payloadLength();
            final ReplyLayout layout = origin.layout();
            copiedReply.begin(origin.alloc(), length, 1, layout.segmentHeaderBytes());
            layout.data(copiedReply.headers(), request, request.offset(), length, true);
            final ByteBuf reply = copiedReply.finish();
            final int at = reply.writerIndex();
            remoteData[0] = reply.internalNioBuffer(at, length);
            reply.writerIndex(at + length);
            request.completeWith(reply, BlockError.NONE);
            data = remoteData;
        }
        else if (BlockOp.WRITE == request.op())
        {
            final ByteBuf payload = request.payload();
            if (1 == payload.nioBufferCount())
            {
                remoteData[0] = payload.nioBuffer(request.payloadIndex(), request.bufferedLength());
                data = remoteData;
            }
            else
            {
                data = payload.nioBuffers(request.payloadIndex(), request.bufferedLength());
            }
        }
        remote.submit(request, data);
        remoteData[0] = null;
    }

    /** Worker: a remote request came back; its payload goes, its reply or error goes to the front end. */
    private void finishRemote(final BlockRequest request)
    {
        settleRemote(request);
        completeToOrigin(request, request.origin());
    }

    /**
     * The backend's thread: a remote request came back and its front end takes replies from any
     * thread, so it gets the reply from here, woken at once unless a write pass is already due (that
     * pass takes this reply too, so replies completing together still go out in one write).
     */
    private void finishRemoteDirect(final BlockRequest request)
    {
        settleRemote(request);
        metrics.requests.increment();
        metrics.recordLatencyNs(System.nanoTime() - request.receivedNs());
        final BlockOrigin origin = request.origin();
        origin.complete(request);
        origin.publish();
    }

    /** Any thread: the payload goes, the outcome is counted. */
    private void settleRemote(final BlockRequest request)
    {
        request.releasePayload();
        final BlockError error = request.error();
        if (BlockError.NONE != error)
        {
            final ByteBuf reply = request.takeReply();
            if (null != reply)
            {
                reply.release();
            }
            metrics.countError(error.errno());
            if (BlockError.NOT_SUPPORTED != error)
            {
                errors.record("nbd", "io", disk + ": " + request.op() + " at " + request.offset() + "+" +
                    request.length() + ": remote error " + error);
            }
        }
        else if (BlockOp.READ == request.op())
        {
            metrics.readBytes.getAndAdd(request.length());
        }
        else if (BlockOp.WRITE == request.op())
        {
            metrics.writtenBytes.getAndAdd(request.length());
        }
    }

    /**
     * Logs a failed request once per repeat window.
     *
     * @return the error it completes with: NO_SPACE when the image's file system is full (or the
     * user's quota or the file size limit is reached), as nbdkit maps it; else IO
     */
    static BlockError ioFailure(final ErrorLog errors, final String disk, final BlockRequest request, final Exception ex)
    {
        errors.record("nbd", "io", disk + ": " + request.op() + " at " + request.offset() + "+" + request.length() +
            ": " + ex);
        if (ex instanceof final SystemCallException failed &&
            (ENOSPC == failed.errno() || EDQUOT == failed.errno() || EFBIG == failed.errno()))
        {
            return BlockError.NO_SPACE;
        }
        return BlockError.IO;
    }

    /**
     * A WRITE whose data is partly still on the socket: writes the part that came with the header,
     * then receives the rest into the disk.
     *
     * @return true when the request is now whole and executes as usual (its data written, or its
     * error recorded); false when it is not this worker's any more
     */
    private boolean receiveFromSocket(final BlockRequest request)
    {
        try
        {
            write(request.offset(), request);
        }
        catch (final IOException | RuntimeException ex)
        {
            request.fail(ioFailure(errors, disk, request, ex));
        }
        request.releasePayload();
        final int received = socketPayloads.receive(request, request.offset() + request.bufferedLength());
        if (SocketPayloadReceiver.ABANDONED == received)
        {
            // The client is gone: the reply goes nowhere, but the entry goes back through the front end.
            request.completeWith(null, BlockError.IO);
            request.origin().complete(request);
            remember(request.origin());
        }
        return SocketPayloadReceiver.RECEIVED == received;
    }

    /** After a drain: each connection touched gets its replies written, with one event-loop wakeup. */
    void publishReplies()
    {
        for (int i = 0; i < touchedCount; i++)
        {
            touched[i].publish();
            touched[i] = null;
        }
        touchedCount = 0;
    }

    private void remember(final BlockOrigin origin)
    {
        for (int i = 0; i < touchedCount; i++)
        {
            if (touched[i] == origin)
            {
                return;
            }
        }
        if (MAX_TOUCHED == touchedCount)
        {
            origin.publish();
            return;
        }
        touched[touchedCount++] = origin;
    }

    /** @return the reply built whole, or null when the request completes with {@link #outcome} alone */
    private ByteBuf execute(final BlockRequest request, final BlockOrigin origin) throws IOException
    {
        final long offset = request.offset();
        final long length = request.length();
        switch (request.op())
        {
            case READ:
                return read(request, origin);

            case WRITE:
            {
                if (BlockError.NONE != request.deferredError())
                {
                    return error(request.deferredError());
                }
                if (null != request.payload())
                {
                    write(offset, request); // else its data came from the socket (receiveFromSocket)
                }
                forceIfFua(request);
                return null;
            }

            case FLUSH:
                backend.flush();
                return null;

            case TRIM:
                backend.trim(offset, length);
                forceIfFua(request);
                return null;

            case WRITE_ZEROES:
            {
                final int zeroed = backend.writeZeroes(offset, length,
                    !request.hasFlag(BlockFlags.NO_HOLE), request.hasFlag(BlockFlags.FAST_ZERO));
                if (StorageBackend.NOT_FAST == zeroed)
                {
                    // A fast zero that cannot be honoured fails as unsupported (NBD proto.md: NBD_CMD_FLAG_FAST_ZERO).
                    return error(BlockError.NOT_SUPPORTED);
                }
                forceIfFua(request);
                return null;
            }

            case CACHE:
                // Advisory; the page cache already holds what was read recently.
                return null;

            case BLOCK_STATUS:
                return blockStatus(request, origin.layout(), origin);

            default:
                return error(BlockError.INVALID);
        }
    }

    /**
     * Writes straight from the received buffer's memory. A payload composed of several received
     * buffers (a large WRITE) goes in one gathered write, without copying; its piece array is the
     * one allocation, per large request only.
     */
    private void write(final long offset, final BlockRequest request) throws IOException
    {
        final ByteBuf payload = request.payload();
        final int index = request.payloadIndex();
        final int length = request.bufferedLength();
        if (0 == length)
        {
            return;
        }
        if (payload.hasMemoryAddress())
        {
            backend.write(offset, payload.memoryAddress() + index, length);
        }
        else
        {
            final ByteBuffer[] pieces = payload.nioBuffers(index, length);
            if (1 == pieces.length)
            {
                backend.write(offset, pieces[0]);
            }
            else
            {
                backend.write(offset, pieces);
            }
        }
        metrics.writtenBytes.getAndAdd(length);
    }

    private void forceIfFua(final BlockRequest request) throws IOException
    {
        if (request.hasFlag(BlockFlags.FUA))
        {
            backend.flush();
        }
    }

    private ReadReply readReply(final BlockRequest request, final BlockOrigin origin)
    {
        return request.payloadLength() >= MAPPED_READ_BYTES && !origin.encrypted() ? mappedReply : copiedReply;
    }

    /**
     * A READ: in one data segment, or, when the front end reports holes, holes as segments without
     * data and data as data segments, the last one marked. With {@link BlockFlags#WHOLE_READ} (or
     * inside a data extent already known) the reply is one data segment.
     */
    private ByteBuf read(final BlockRequest request, final BlockOrigin origin) throws IOException
    {
        final ReplyLayout layout = origin.layout();
        final int length = request.payloadLength();
        final long end = request.offset() + length;
        final long generation = backend.holeGeneration();
        // Inside a known data extent (the common case on a filled image): one segment, no lseek.
        final boolean oneSegment = !layout.reportsHoles() || request.hasFlag(BlockFlags.WHOLE_READ) ||
            (generation == knownGeneration && request.offset() >= knownDataStart && end <= knownDataEnd);
        final ReadReply reply = readReply(request, origin);
        reply.begin(origin.alloc(), length, oneSegment ? 1 : MAX_READ_SEGMENTS + 1, layout.segmentHeaderBytes());
        try
        {
            long position = request.offset();
            int segments = 0;
            while (position < end)
            {
                final boolean explore = !oneSegment && segments < MAX_READ_SEGMENTS;
                final long dataAt = explore ? backend.nextData(position) : position;
                if (dataAt > position)
                {
                    final long holeEnd = Math.min(dataAt, end);
                    layout.hole(reply.headers(), request, position, (int)(holeEnd - position), holeEnd == end);
                    position = holeEnd;
                }
                else
                {
                    long dataEnd = end;
                    if (explore)
                    {
                        final long holeAt = backend.nextHole(position);
                        knownDataStart = position;
                        knownDataEnd = holeAt;
                        knownGeneration = generation;
                        dataEnd = Math.min(holeAt, end);
                    }
                    if (dataEnd <= position)
                    {
                        dataEnd = end;
                    }
                    final int n = (int)(dataEnd - position);
                    layout.data(reply.headers(), request, position, n, dataEnd == end);
                    reply.data(position, n);
                    position = dataEnd;
                }
                segments++;
            }
            metrics.readBytes.getAndAdd(length);
            return reply.finish();
        }
        catch (final IOException | RuntimeException ex)
        {
            reply.discard();
            throw ex;
        }
    }

    /** Which parts of the range hold data (NBD proto.md: "Metadata querying", base:allocation). */
    private ByteBuf blockStatus(final BlockRequest request, final ReplyLayout layout, final BlockOrigin origin)
        throws IOException
    {
        final int maxExtents = request.hasFlag(BlockFlags.ONE_EXTENT) ? 1 : MAX_EXTENTS;
        final ByteBuf reply = origin.alloc().buffer(layout.extentsBytes(maxExtents));
        try
        {
            layout.extentsStart(reply);
            final long end = request.offset() + request.length();
            long position = request.offset();
            int extents = 0;
            while (position < end && extents < maxExtents)
            {
                final long dataAt = backend.nextData(position);
                final long extentEnd;
                final boolean hole = dataAt > position;
                if (hole)
                {
                    extentEnd = Math.min(dataAt, end);
                }
                else
                {
                    final long holeAt = backend.nextHole(position);
                    extentEnd = holeAt > position ? Math.min(holeAt, end) : end;
                }
                layout.extent(reply, (int)(extentEnd - position), hole);
                position = extentEnd;
                extents++;
            }
            layout.extentsEnd(reply, request, extents);
            return reply;
        }
        catch (final IOException | RuntimeException ex)
        {
            reply.release();
            throw ex;
        }
    }

    /** The request fails with {@code error}; the front end encodes it. @return null: no reply built */
    private ByteBuf error(final BlockError error)
    {
        metrics.countError(error.errno());
        outcome = error;
        return null;
    }
}
