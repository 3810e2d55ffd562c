package io.vplane.blockstore.device;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.vplane.blockstore.backend.StorageBackend;
import io.vplane.blockstore.backend.SystemCallException;
import io.vplane.blockstore.nbd.NbdConnection;
import io.vplane.blockstore.nbd.NbdProtocol;
import io.vplane.blockstore.nbd.NbdRequest;
import io.vplane.blockstore.nbd.ReplyEncoder;
import io.vplane.engine.errors.ErrorLog;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.function.Consumer;

/**
 * Runs requests against the backend on a blk worker and builds each reply whole, header and data
 * together, so it goes out in one write (as nbdkit does with MSG_MORE): a small READ's data is read
 * into the reply buffer, a large one's is the mapped image itself ({@link MappedReadReply}). One
 * executor per queue: it is only ever called by the worker draining that queue.
 */
final class RequestExecutor implements Consumer<NbdRequest>
{
    /** Chunks one structured READ reply is split into at most; the rest goes as one data chunk. */
    private static final int MAX_READ_SEGMENTS = 16;
    /** Bytes of one reply or chunk header at most (a hole chunk, the longest without data). */
    static final int CHUNK_OVERHEAD = ReplyEncoder.CHUNK_HEADER_LENGTH + ReplyEncoder.OFFSET_HOLE_PAYLOAD;
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
    /** Null when the backend cannot write from a pipe. */
    private final SocketPayloadReceiver socketPayloads;
    /** Last data extent found with SEEK_DATA/SEEK_HOLE, valid while the backend's hole generation holds. */
    private long knownDataStart;
    private long knownDataEnd;
    private long knownGeneration = -1;
    /** Error of the simple reply of the request being executed, when execute returns null. */
    private int simpleError;
    /** Connections with replies completed in this drain and not yet published. */
    private final NbdConnection[] touched = new NbdConnection[MAX_TOUCHED];
    private int touchedCount;

    RequestExecutor(final String disk, final StorageBackend backend, final DiskMetrics metrics, final ErrorLog errors)
    {
        this.disk = disk;
        this.backend = backend;
        this.metrics = metrics;
        this.errors = errors;
        this.copiedReply = new CopiedReadReply(backend);
        this.mappedReply = backend.hasResidentViews() ? new MappedReadReply(backend) : copiedReply;
        this.socketPayloads = backend.writesFromPipes() ? new SocketPayloadReceiver(disk, backend, metrics, errors) : null;
    }

    /** Whether WRITEs may arrive with their data still on the socket (see {@link SocketPayloadReceiver}). */
    boolean receivesFromSockets()
    {
        return null != socketPayloads;
    }

    @Override
    public void accept(final NbdRequest request)
    {
        final NbdConnection connection = request.connection();
        if (request.socketBytes() > 0 && !receiveFromSocket(request))
        {
            return;
        }
        final ByteBufAllocator alloc = connection.channel().alloc();
        ByteBuf reply;
        simpleError = 0;
        try
        {
            reply = execute(request, alloc, connection.structuredReplies());
        }
        catch (final IOException | RuntimeException ex)
        {
            reply = error(request, alloc, connection.structuredReplies(), ioFailure(errors, disk, request, ex));
        }
        finally
        {
            request.releasePayload();
        }
        metrics.requests.increment();
        metrics.recordLatencyNs(System.nanoTime() - request.receivedNs());
        // Read before completing: once completed, the slot belongs to the event loop again.
        final boolean large = request.length() >= PUBLISH_AT_ONCE_BYTES ||
            (null != reply && reply.readableBytes() >= PUBLISH_AT_ONCE_BYTES);
        if (null == reply)
        {
            connection.completeSimple(request, simpleError);
        }
        else
        {
            connection.complete(request, reply);
        }
        if (large)
        {
            connection.publishReplies();
        }
        else
        {
            remember(connection);
        }
    }

    /**
     * Logs a failed request once per repeat window.
     *
     * @return the error its reply carries: ENOSPC when the image's file system is full (or the
     * user's quota or the file size limit is reached), as nbdkit maps it; else EIO
     */
    static int ioFailure(final ErrorLog errors, final String disk, final NbdRequest request, final Exception ex)
    {
        errors.record("nbd", "io", disk + ": " + NbdProtocol.commandName(request.type()) + " at " +
            request.offset() + "+" + request.length() + ": " + ex);
        if (ex instanceof final SystemCallException failed &&
            (ENOSPC == failed.errno() || EDQUOT == failed.errno() || EFBIG == failed.errno()))
        {
            return NbdProtocol.ENOSPC;
        }
        return NbdProtocol.EIO;
    }

    /**
     * A WRITE whose data is partly still on the socket: writes the part that came with the header,
     * then receives the rest into the disk.
     *
     * @return true when the request is now whole and executes as usual (its data written, or its
     * error recorded); false when it is not this worker's any more
     */
    private boolean receiveFromSocket(final NbdRequest request)
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
        final int outcome = socketPayloads.receive(request, request.offset() + request.bufferedLength());
        if (SocketPayloadReceiver.ABANDONED == outcome)
        {
            // The client is gone: the reply goes nowhere, but the slot goes back through the event loop.
            request.connection().completeSimple(request, NbdProtocol.EIO);
            remember(request.connection());
        }
        return SocketPayloadReceiver.RECEIVED == outcome;
    }

    /** After a drain: each connection touched gets its replies written, with one event-loop wakeup. */
    void publishReplies()
    {
        for (int i = 0; i < touchedCount; i++)
        {
            touched[i].publishReplies();
            touched[i] = null;
        }
        touchedCount = 0;
    }

    private void remember(final NbdConnection connection)
    {
        for (int i = 0; i < touchedCount; i++)
        {
            if (touched[i] == connection)
            {
                return;
            }
        }
        if (MAX_TOUCHED == touchedCount)
        {
            connection.publishReplies();
            return;
        }
        touched[touchedCount++] = connection;
    }

    private ByteBuf execute(final NbdRequest request, final ByteBufAllocator alloc, final boolean structured)
        throws IOException
    {
        final long offset = request.offset();
        final long length = request.length();
        switch (request.type())
        {
            case NbdProtocol.CMD_READ:
                return structured ? structuredRead(request, alloc) : simpleRead(request, alloc);

            case NbdProtocol.CMD_WRITE:
            {
                if (0 != request.deferredError())
                {
                    return error(request, alloc, structured, request.deferredError());
                }
                if (null != request.payload())
                {
                    write(offset, request); // else its data came from the socket (receiveFromSocket)
                }
                forceIfFua(request);
                return ok(request, alloc);
            }

            case NbdProtocol.CMD_FLUSH:
                backend.flush();
                return ok(request, alloc);

            case NbdProtocol.CMD_TRIM:
                backend.trim(offset, length);
                forceIfFua(request);
                return ok(request, alloc);

            case NbdProtocol.CMD_WRITE_ZEROES:
            {
                final int outcome = backend.writeZeroes(offset, length,
                    !request.hasFlag(NbdProtocol.CMD_FLAG_NO_HOLE), request.hasFlag(NbdProtocol.CMD_FLAG_FAST_ZERO));
                if (StorageBackend.NOT_FAST == outcome)
                {
                    // proto.md: NBD_CMD_FLAG_FAST_ZERO that cannot be honoured fails with ENOTSUP.
                    return error(request, alloc, structured, NbdProtocol.ENOTSUP);
                }
                forceIfFua(request);
                return ok(request, alloc);
            }

            case NbdProtocol.CMD_CACHE:
                // Advisory; the page cache already holds what was read recently.
                return ok(request, alloc);

            case NbdProtocol.CMD_BLOCK_STATUS:
                return blockStatus(request, alloc);

            default:
                return error(request, alloc, structured, NbdProtocol.EINVAL);
        }
    }

    /**
     * Writes straight from the received buffer's memory. A payload composed of several received
     * buffers (a large WRITE) goes in one gathered write, without copying; its piece array is the
     * one allocation, per large request only.
     */
    private void write(final long offset, final NbdRequest request) throws IOException
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

    private void forceIfFua(final NbdRequest request) throws IOException
    {
        if (request.hasFlag(NbdProtocol.CMD_FLAG_FUA))
        {
            backend.flush();
        }
    }

    private ReadReply readReply(final NbdRequest request)
    {
        return request.payloadLength() >= MAPPED_READ_BYTES && !request.connection().tls() ? mappedReply : copiedReply;
    }

    private ByteBuf simpleRead(final NbdRequest request, final ByteBufAllocator alloc) throws IOException
    {
        final int length = request.payloadLength();
        final ReadReply reply = readReply(request);
        reply.begin(alloc, length, 1);
        try
        {
            ReplyEncoder.simpleReply(reply.headers(), 0, request.cookie());
            reply.data(request.offset(), length);
            metrics.readBytes.getAndAdd(length);
            return reply.finish();
        }
        catch (final IOException | RuntimeException ex)
        {
            reply.discard();
            throw ex;
        }
    }

    /**
     * A structured READ: holes become OFFSET_HOLE chunks (no data sent), data OFFSET_DATA chunks;
     * the last carries NBD_REPLY_FLAG_DONE. With NBD_CMD_FLAG_DF the reply is one data chunk.
     */
    private ByteBuf structuredRead(final NbdRequest request, final ByteBufAllocator alloc) throws IOException
    {
        final int length = request.payloadLength();
        final long end = request.offset() + length;
        final long generation = backend.holeGeneration();
        // Inside a known data extent (the common case on a filled image): one chunk, no lseek.
        final boolean oneChunk = request.hasFlag(NbdProtocol.CMD_FLAG_DF) ||
            (generation == knownGeneration && request.offset() >= knownDataStart && end <= knownDataEnd);
        final ReadReply reply = readReply(request);
        reply.begin(alloc, length, MAX_READ_SEGMENTS + 1);
        try
        {
            long position = request.offset();
            int segments = 0;
            while (position < end)
            {
                final boolean explore = !oneChunk && segments < MAX_READ_SEGMENTS;
                final long dataAt = explore ? backend.nextData(position) : position;
                if (dataAt > position)
                {
                    final long holeEnd = Math.min(dataAt, end);
                    ReplyEncoder.holeChunk(reply.headers(), holeEnd == end ? NbdProtocol.REPLY_FLAG_DONE : 0,
                        request.cookie(), position, (int)(holeEnd - position));
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
                    ReplyEncoder.dataChunkHeader(reply.headers(), dataEnd == end ? NbdProtocol.REPLY_FLAG_DONE : 0,
                        request.cookie(), position, n);
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

    /** base:allocation extents (proto.md: "Metadata querying"); REQ_ONE asks for exactly one. */
    private ByteBuf blockStatus(final NbdRequest request, final ByteBufAllocator alloc) throws IOException
    {
        final int maxExtents = request.hasFlag(NbdProtocol.CMD_FLAG_REQ_ONE) ? 1 : MAX_EXTENTS;
        final ByteBuf reply = alloc.buffer(ReplyEncoder.CHUNK_HEADER_LENGTH + ReplyEncoder.BLOCK_STATUS_PREFIX +
            ReplyEncoder.BLOCK_STATUS_EXTENT * maxExtents);
        try
        {
            reply.writerIndex(ReplyEncoder.CHUNK_HEADER_LENGTH);
            reply.writeInt(NbdProtocol.BASE_ALLOCATION_ID);
            final long end = request.offset() + request.length();
            long position = request.offset();
            int extents = 0;
            while (position < end && extents < maxExtents)
            {
                final long dataAt = backend.nextData(position);
                final long extentEnd;
                final int flags;
                if (dataAt > position)
                {
                    extentEnd = Math.min(dataAt, end);
                    flags = NbdProtocol.STATE_HOLE | NbdProtocol.STATE_ZERO;
                }
                else
                {
                    final long holeAt = backend.nextHole(position);
                    extentEnd = holeAt > position ? Math.min(holeAt, end) : end;
                    flags = 0;
                }
                reply.writeInt((int)(extentEnd - position)).writeInt(flags);
                position = extentEnd;
                extents++;
            }
            final int payload = ReplyEncoder.BLOCK_STATUS_PREFIX + ReplyEncoder.BLOCK_STATUS_EXTENT * extents;
            final int written = reply.writerIndex();
            reply.writerIndex(0);
            ReplyEncoder.chunkHeader(reply, NbdProtocol.REPLY_FLAG_DONE, NbdProtocol.REPLY_TYPE_BLOCK_STATUS,
                request.cookie(), payload);
            reply.writerIndex(written);
            return reply;
        }
        catch (final IOException | RuntimeException ex)
        {
            reply.release();
            throw ex;
        }
    }

    /** @return null: the connection encodes the simple reply (see NbdConnection#completeSimple) */
    private static ByteBuf ok(final NbdRequest request, final ByteBufAllocator alloc)
    {
        return null;
    }

    private ByteBuf error(final NbdRequest request, final ByteBufAllocator alloc, final boolean structured, final int error)
    {
        metrics.countError(error);
        final int type = request.type();
        if (structured && (NbdProtocol.CMD_READ == type || NbdProtocol.CMD_BLOCK_STATUS == type))
        {
            final ByteBuf reply = alloc.buffer(ReplyEncoder.CHUNK_HEADER_LENGTH + ReplyEncoder.ERROR_PAYLOAD);
            ReplyEncoder.errorChunk(reply, error, request.cookie());
            return reply;
        }
        simpleError = error;
        return null;
    }
}
