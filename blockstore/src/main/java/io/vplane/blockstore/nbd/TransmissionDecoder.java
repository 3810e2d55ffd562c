package io.vplane.blockstore.nbd;

import io.netty.buffer.ByteBuf;
import io.vplane.blockstore.request.BlockRequest;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;

/**
 * Frames the transmission phase (NBD proto.md: "Transmission"): each request header is checked
 * ({@link RequestCheck}); a request that fails the check is answered with its error and skipped;
 * a valid one fills a free {@link BlockRequest} slot ({@link NbdCommands}), with its WRITE data
 * sliced from the frame or, when much of it is still to come, left on the socket for the blk
 * worker ({@link SocketLoan}), and goes to the connection to be dispatched. Also receives the rest
 * of a WRITE a worker gave back, and keeps the requests and data in flight within the limits.
 * Event loop only.
 */
final class TransmissionDecoder
{
    private final NbdConnection connection;
    private final InboundFrames frames;
    private final SocketLoan loan;
    private final ReplyWriter replies;
    private final ManyToOneConcurrentArrayQueue<BlockRequest> freeSlots;
    private final NbdLimits limits;
    private final RequestHeader header = new RequestHeader();
    /** Taken slots not yet given back ({@link #repliesWritten}). */
    private int inFlight;
    /** READ and WRITE data of the requests in flight, bounded by {@link NbdLimits#maxDataBytesInFlight()}. */
    private long dataBytesInFlight;
    private boolean blockStatusEnabled;
    /** The WRITE whose remaining data is the next thing on the stream, or null. */
    private BlockRequest continuation;

    TransmissionDecoder(
        final NbdConnection connection,
        final InboundFrames frames,
        final SocketLoan loan,
        final ReplyWriter replies,
        final ManyToOneConcurrentArrayQueue<BlockRequest> freeSlots,
        final NbdLimits limits)
    {
        this.connection = connection;
        this.frames = frames;
        this.loan = loan;
        this.replies = replies;
        this.freeSlots = freeSlots;
        this.limits = limits;
    }

    /** The phase starts: NBD_CMD_BLOCK_STATUS is valid only when base:allocation was selected for this export. */
    void start(final boolean blockStatusEnabled)
    {
        this.blockStatusEnabled = blockStatusEnabled;
    }

    /** Requests whose replies have not gone out yet. */
    int inFlight()
    {
        return inFlight;
    }

    /** {@code written} replies went out, with {@code dataBytes} of READ and WRITE data: their slots are free again. */
    void repliesWritten(final int written, final long dataBytes)
    {
        inFlight -= written;
        dataBytesInFlight -= dataBytes;
    }

    /** A worker gave back the rest of a WRITE ({@code rest}, or null when it received it all). */
    void continueWith(final BlockRequest rest)
    {
        continuation = rest;
    }

    /** True while the rest of a WRITE is the next thing on the stream. */
    boolean continuing()
    {
        return null != continuation;
    }

    /** The connection closed: frees the data of a WRITE whose rest never came. */
    void release()
    {
        if (null != continuation)
        {
            continuation.releasePayload();
            continuation = null;
        }
    }

    /** @return true when it consumed something and may go on; false when it needs more bytes, paused or the session ended */
    boolean decode(final ByteBuf in)
    {
        if (null != continuation)
        {
            return decodeContinuation(in);
        }
        if (in.readableBytes() < RequestHeader.LENGTH)
        {
            frames.await(RequestHeader.LENGTH);
            return false;
        }
        header.wrap(in, in.readerIndex());
        if (!header.hasValidMagic())
        {
            return connection.fault("request-magic", "request magic 0x" + Integer.toHexString(header.magic()));
        }
        final int type = header.type();
        final long length = header.length();
        final boolean carriesData = NbdProtocol.CMD_WRITE == type;
        if (carriesData && length > NbdProtocol.MAX_PAYLOAD_BYTES)
        {
            return connection.fault("request-length", "WRITE of " + length + " bytes (limit " + NbdProtocol.MAX_PAYLOAD_BYTES + ")");
        }
        if (NbdProtocol.CMD_DISC == type)
        {
            in.skipBytes(RequestHeader.LENGTH);
            connection.disconnect();
            return true;
        }
        final int frame = RequestHeader.LENGTH + (carriesData ? (int)length : 0);
        final int missing = frame - in.readableBytes();
        if (missing > 0 && (connection.tls || frames.hasMore() ||
            !loan.mayLend(missing, connection.channel(), connection.sink(), connection.metrics, connection.peer)))
        {
            frames.await(frame);
            return false;
        }
        final int error = RequestCheck.check(type, header.flags(), header.offset(), length, connection.export(),
            connection.structured, blockStatusEnabled, connection.alignment);
        if (missing > 0 && 0 != error)
        {
            // The error reply skips the whole frame, so it waits for the data like any WRITE.
            frames.await(frame);
            return false;
        }
        frames.await(0);
        final long cookie = header.cookie();
        if (0 != error)
        {
            in.skipBytes(frame);
            connection.export().countError(error);
            replies.replyError(type, cookie, error);
            return true;
        }
        final boolean movesData = carriesData || NbdProtocol.CMD_READ == type;
        if (movesData && dataBytesInFlight > 0 && dataBytesInFlight + length > limits.maxDataBytesInFlight())
        {
            // The data of the requests in flight is what a connection pins; replies give it back.
            connection.pause();
            return false;
        }
        // The queue's word that it takes this loan: a change of its service waits for the request.
        final boolean lending = missing > 0;
        if (lending && !connection.sink().tryLend())
        {
            frames.await(frame);
            return false;
        }
        final BlockRequest slot = freeSlots.poll();
        if (null == slot)
        {
            if (lending)
            {
                connection.sink().lendCancelled();
            }
            // Slots come back when their replies are written on this loop, which resumes reading.
            connection.pause();
            return false;
        }
        slot.set(NbdCommands.op(type), NbdCommands.flags(header.flags()), cookie, header.offset(), length,
            System.nanoTime());
        if (movesData)
        {
            slot.budgetBytes((int)length);
            dataBytesInFlight += length;
        }
        final int onSocket = Math.max(0, missing);
        if (carriesData)
        {
            slot.payload(in.retain(), in.readerIndex() + RequestHeader.LENGTH, onSocket);
            frames.sliced();
        }
        in.skipBytes(frame - onSocket);
        inFlight++;
        if (onSocket > 0)
        {
            loan.lend();
            connection.channel().config().setAutoRead(false);
        }
        return connection.dispatch(slot);
    }

    /** The rest of a WRITE the worker stopped waiting for: received here, then queued again. */
    private boolean decodeContinuation(final ByteBuf in)
    {
        final BlockRequest request = continuation;
        final int needed = request.socketBytes();
        if (in.readableBytes() < needed)
        {
            frames.await(needed);
            return false;
        }
        frames.await(0);
        continuation = null;
        request.payload(in.retain(), in.readerIndex(), 0);
        frames.sliced();
        in.skipBytes(needed);
        return connection.continuationReceived(request);
    }
}
