package io.vplane.blockstore.nbd;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslContext;
import io.netty.util.ReferenceCountUtil;
import io.vplane.blockstore.request.BlockError;
import io.vplane.blockstore.request.BlockOrigin;
import io.vplane.blockstore.request.BlockQueue;
import io.vplane.blockstore.request.BlockRequest;
import io.vplane.blockstore.request.ReplyLayout;
import io.vplane.blockstore.request.SocketSplicer;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One client connection: the fixed newstyle handshake, option haggling ({@link OptionHaggler}),
 * then the transmission phase, where requests are checked on the event loop and handed to the
 * disk's queue; a blk worker executes them and replies through {@link #complete}. Replies may go
 * out in any order (proto.md: "Transmission"). A protocol violation closes this connection only.
 */
public final class NbdConnection extends ChannelInboundHandlerAdapter implements BlockOrigin
{
    /** Requests one connection may have in flight; reading pauses beyond (qemu 16, nbdcopy 64, fio QD). */
    public static final int REQUEST_SLOTS = 128;
    /** Options longer than this are skipped with NBD_REP_ERR_TOO_BIG: every valid option is far shorter. */
    static final int MAX_OPTION_BYTES = 64 * 1024;
    private static final long OFFER_RETRY_US = 50;
    private static final int GREETING_LENGTH = 18;
    /** Split frames up to this size are copied into one buffer; larger ones are composed of slices. */
    private static final int STITCH_COPY_LIMIT = 16 * 1024;
    /** Pieces a composed frame holds before Netty consolidates them (a copy): 32 MiB in 8 KiB reads. */
    private static final int MAX_FRAME_PIECES = 4096;
    /** WRITE data at least this long that has not arrived with its header is received by the blk worker (see {@link SocketSplicer}). */
    public static final int SOCKET_PAYLOAD_BYTES = 64 * 1024;

    enum State
    {
        CLIENT_FLAGS, OPTIONS, SKIP_OPTION, TRANSMISSION, DISCONNECTING, CLOSED
    }

    final ExportDirectory directory;
    final NbdServerMetrics metrics;
    /** Null when the server offers no TLS. */
    final SslContext tlsContext;
    /** STARTTLS done: the session runs inside TLS. */
    boolean tls;
    private final RequestHeader header = new RequestHeader();
    private final OptionHeader optionHeader = new OptionHeader();
    private final OptionHaggler haggler = new OptionHaggler(this);
    /** Free request slots; taken by the decoder and given back by writeCompleted, both on the event loop. */
    private final ManyToOneConcurrentArrayQueue<BlockRequest> freeSlots =
        new ManyToOneConcurrentArrayQueue<>(REQUEST_SLOTS);
    /** Requests the workers finished, with their replies, waiting for the event loop to write them. */
    private final ManyToOneConcurrentArrayQueue<BlockRequest> completed =
        new ManyToOneConcurrentArrayQueue<>(REQUEST_SLOTS);
    private final AtomicBoolean writeScheduled = new AtomicBoolean();
    private final Runnable writeCompleted = this::writeCompleted;
    /** Event loop only: taken slots not yet given back by {@link #writeCompleted}. */
    private int inFlight;
    private final Runnable retryStalled = this::retryStalled;

    ChannelHandlerContext ctx;
    private Channel channel;
    InetAddress client;
    String peer = "?";
    /** The buffer being decoded: a received buffer as it came, or a stitch buffer holding one split frame. */
    private ByteBuf cumulation;
    /** Payloads were handed out of {@link #cumulation} (it is retained by them): it must never be written into again. */
    private boolean cumulationSliced;
    /** Received buffers waiting behind {@link #cumulation}; decoded in place, never copied as a whole. */
    private final ArrayDeque<ByteBuf> pending = new ArrayDeque<>(8);
    /** Bytes the decoder needs from the start of {@link #cumulation} to make progress (a header or a whole frame). */
    private int awaitedFrameBytes;
    State state = State.CLIENT_FLAGS;
    private long skipRemaining;
    boolean noZeroes;
    volatile boolean structured;
    /** Export name that base:allocation was selected for with SET_META_CONTEXT, or null. */
    String metaContextExport;
    private boolean blockStatusEnabled;
    /** Alignment enforced on requests: the export's minimum block if the client asked for block sizes, else 1. */
    int alignment = 1;
    private Export export;
    private BlockQueue sink;
    /** Reading stopped for want of a slot or queue room; resumed when replies give slots back. */
    private boolean paused;
    private BlockRequest stalled;
    /** Requests were offered to the sink since it was last woken. */
    private boolean unannounced;
    private final SocketLoan loan = new SocketLoan();
    /** Set by the worker before returning the socket: a WRITE whose rest this event loop receives, or null. */
    private BlockRequest handedBack;
    private final Runnable socketReturned = this::socketReturned;
    /** The WRITE whose remaining data is the next thing on the stream, or null. */
    private BlockRequest continuation;
    /** The export is going away: disconnect once the WRITE whose data is still arriving is whole. */
    private boolean disconnectWhenWhole;
    /** The connection closed: a worker receiving WRITE data stops. */
    private volatile boolean gone;

    public NbdConnection(final ExportDirectory directory, final NbdServerMetrics metrics, final SslContext tlsContext)
    {
        this.directory = directory;
        this.metrics = metrics;
        this.tlsContext = tlsContext;
    }

    /**
     * Switches the session to TLS after the STARTTLS ACK went out (proto.md: "TLS support"). The
     * client must wait for the ACK, so bytes already buffered now are a violation.
     */
    boolean startTls()
    {
        if ((null != cumulation && cumulation.isReadable()) || !pending.isEmpty())
        {
            return fault("starttls", "data sent before the STARTTLS reply");
        }
        ctx.pipeline().addFirst("tls", tlsContext.newHandler(ctx.alloc()));
        tls = true;
        return true;
    }

    public boolean structuredReplies()
    {
        return structured;
    }

    public Channel channel()
    {
        return channel;
    }

    public Export export()
    {
        return export;
    }

    @Override
    public void channelActive(final ChannelHandlerContext ctx)
    {
        this.ctx = ctx;
        this.channel = ctx.channel();
        if (channel.remoteAddress() instanceof final InetSocketAddress remote)
        {
            client = remote.getAddress();
            peer = remote.getAddress().getHostAddress() + ":" + remote.getPort();
        }
        metrics.accepted().incrementRelease();
        metrics.open().incrementRelease();
        final ByteBuf greeting = ctx.alloc().buffer(GREETING_LENGTH);
        greeting.writeLong(NbdProtocol.NBDMAGIC).writeLong(NbdProtocol.IHAVEOPT)
            .writeShort(NbdProtocol.FLAG_FIXED_NEWSTYLE | NbdProtocol.FLAG_NO_ZEROES);
        ctx.writeAndFlush(greeting, ctx.voidPromise());
    }

    @Override
    public void channelInactive(final ChannelHandlerContext ctx)
    {
        state = State.CLOSED;
        gone = true;
        metrics.open().decrementRelease();
        if (null != export)
        {
            export.detach(this);
        }
        releaseInput();
        if (null != stalled)
        {
            if (stalled.socketBytes() > 0)
            {
                loan.returned(false); // lent with a request that never reached a worker
            }
            stalled.releasePayload();
            stalled = null;
        }
        if (null != continuation)
        {
            continuation.releasePayload();
            continuation = null;
        }
        loan.closeUnlessLent();
        BlockRequest request;
        while (null != (request = completed.poll()))
        {
            final ByteBuf reply = request.takeReply();
            if (null != reply)
            {
                reply.release();
            }
        }
    }

    private void releaseInput()
    {
        if (null != cumulation)
        {
            cumulation.release();
            cumulation = null;
        }
        ByteBuf buffer;
        while (null != (buffer = pending.poll()))
        {
            buffer.release();
        }
    }

    @Override
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
    {
        // Resets and writes to a closed socket end up here: the client went away.
        ctx.close();
    }

    @Override
    public void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        if (!(msg instanceof final ByteBuf in))
        {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (State.CLOSED == state || State.DISCONNECTING == state)
        {
            in.release();
            return;
        }
        if (loan.lent())
        {
            // Netty reads even without autoRead when the client shuts its side (EPOLLRDHUP). The
            // stream's order against the worker's reads is lost: the unacknowledged WRITE is dropped.
            in.release();
            ctx.close();
            return;
        }
        cumulate(in);
        decode();
    }

    /**
     * Queues a received buffer. Buffers are decoded where they are, and WRITE payloads are slices
     * of them, so data is not copied on the way in; only a frame split across two reads is
     * stitched together (see {@link #stitch}).
     */
    private void cumulate(final ByteBuf in)
    {
        if (null == cumulation)
        {
            cumulation = in;
            cumulationSliced = false;
        }
        else
        {
            pending.offer(in);
        }
    }

    private void decode()
    {
        while (null != cumulation && !paused && !loan.lent())
        {
            if (cumulation.isReadable() && decodeFrame(cumulation))
            {
                continue;
            }
            if (null == cumulation || paused || pending.isEmpty())
            {
                break;
            }
            if (cumulation.isReadable())
            {
                stitch();
            }
            else
            {
                // Payload slices handed to workers keep their memory alive through their own reference.
                cumulation.release();
                cumulation = pending.poll();
                cumulationSliced = false;
            }
        }
        if (null != cumulation && !cumulation.isReadable() && pending.isEmpty())
        {
            cumulation.release();
            cumulation = null;
        }
        wakeSink();
    }

    /** One wakeup for every request this decode pass handed over. */
    private void wakeSink()
    {
        if (unannounced)
        {
            unannounced = false;
            sink.wake();
        }
    }

    private boolean decodeFrame(final ByteBuf in)
    {
        return switch (state)
        {
            case CLIENT_FLAGS -> decodeClientFlags(in);
            case OPTIONS -> decodeOption(in);
            case SKIP_OPTION -> skipOption(in);
            case TRANSMISSION -> decodeRequest(in);
            case DISCONNECTING, CLOSED -> false;
        };
    }

    /**
     * Completes the partial frame at the end of {@link #cumulation} with bytes from the next
     * received buffers: copies the partial frame and just the missing bytes into a buffer sized
     * for the frame, so only the split frame is copied. A buffer that handed out payload slices is
     * never written into (a pooled buffer that moves would leave the slices reading freed memory).
     */
    private void stitch()
    {
        if (awaitedFrameBytes > STITCH_COPY_LIMIT)
        {
            stitchWithoutCopy();
            return;
        }
        final int readable = cumulation.readableBytes();
        final int missing = Math.max(1, awaitedFrameBytes - readable);
        ByteBuf target = cumulation;
        if (cumulationSliced || cumulation.writableBytes() < missing || cumulation.maxFastWritableBytes() < missing)
        {
            target = ctx.alloc().directBuffer(Math.max(readable + missing, awaitedFrameBytes));
            target.writeBytes(cumulation);
            cumulation.release();
            cumulation = target;
            cumulationSliced = false;
        }
        int needed = missing;
        while (needed > 0 && !pending.isEmpty())
        {
            final ByteBuf next = pending.peek();
            final int n = Math.min(needed, next.readableBytes());
            target.writeBytes(next, n);
            needed -= n;
            if (!next.isReadable())
            {
                pending.poll().release();
            }
        }
    }

    /**
     * A large frame (a big WRITE spans many reads) is assembled from slices of the received buffers
     * in a composite buffer instead of being copied; its payload reaches the disk with one write per
     * piece.
     */
    private void stitchWithoutCopy()
    {
        final CompositeByteBuf composite;
        if (cumulation instanceof final CompositeByteBuf open && !cumulationSliced)
        {
            composite = open;
        }
        else
        {
            composite = ctx.alloc().compositeDirectBuffer(MAX_FRAME_PIECES);
            composite.addComponent(true, cumulation.readRetainedSlice(cumulation.readableBytes()));
            cumulation.release();
            cumulation = composite;
            cumulationSliced = false;
        }
        while (composite.readableBytes() < awaitedFrameBytes && !pending.isEmpty())
        {
            final ByteBuf next = pending.peek();
            final int n = Math.min(awaitedFrameBytes - composite.readableBytes(), next.readableBytes());
            composite.addComponent(true, next.readRetainedSlice(n));
            if (!next.isReadable())
            {
                pending.poll().release();
            }
        }
    }

    private boolean decodeClientFlags(final ByteBuf in)
    {
        if (in.readableBytes() < Integer.BYTES)
        {
            awaitedFrameBytes = Integer.BYTES;
            return false;
        }
        final int flags = in.readInt();
        if (0 != (flags & ~NbdProtocol.KNOWN_CLIENT_FLAGS))
        {
            // proto.md: a server that sees client flags it does not know MUST close.
            return fault("client-flags", "unknown client flags 0x" + Integer.toHexString(flags));
        }
        noZeroes = 0 != (flags & NbdProtocol.CLIENT_FLAG_NO_ZEROES);
        state = State.OPTIONS;
        return true;
    }

    private boolean decodeOption(final ByteBuf in)
    {
        if (in.readableBytes() < OptionHeader.LENGTH)
        {
            awaitedFrameBytes = OptionHeader.LENGTH;
            return false;
        }
        optionHeader.wrap(in, in.readerIndex());
        if (!optionHeader.hasValidMagic())
        {
            return fault("option-magic", "option without IHAVEOPT magic");
        }
        final int option = optionHeader.option();
        final long length = optionHeader.dataLength();
        if (length > MAX_OPTION_BYTES)
        {
            if (NbdProtocol.OPT_EXPORT_NAME == option)
            {
                return fault("option-length", "EXPORT_NAME of " + length + " bytes");
            }
            in.skipBytes(OptionHeader.LENGTH);
            skipRemaining = length;
            state = State.SKIP_OPTION;
            metrics.errors().record("nbd", "option-too-big", peer + ": option " + option + " of " + length + " bytes");
            haggler.replyError(option, NbdProtocol.REP_ERR_TOO_BIG, "option data too long");
            return true;
        }
        if (in.readableBytes() < OptionHeader.LENGTH + length)
        {
            awaitedFrameBytes = OptionHeader.LENGTH + (int)length;
            return false;
        }
        final ByteBuf data = in.slice(in.readerIndex() + OptionHeader.LENGTH, (int)length);
        in.skipBytes(OptionHeader.LENGTH + (int)length);
        haggler.onOption(option, data);
        return true;
    }

    private boolean skipOption(final ByteBuf in)
    {
        final int n = (int)Math.min(in.readableBytes(), skipRemaining);
        in.skipBytes(n);
        skipRemaining -= n;
        if (0 == skipRemaining)
        {
            state = State.OPTIONS;
        }
        return n > 0;
    }

    /** Enters the transmission phase on {@code export}; false when the disk went away meanwhile. */
    boolean enterTransmission(final Export chosen, final String name)
    {
        final BlockQueue attached = chosen.attach(this);
        if (null == attached)
        {
            return false;
        }
        export = chosen;
        sink = attached;
        blockStatusEnabled = name.equals(metaContextExport);
        for (int i = 0; i < REQUEST_SLOTS; i++)
        {
            freeSlots.offer(new BlockRequest(this));
        }
        state = State.TRANSMISSION;
        return true;
    }

    int transmissionFlags(final Export chosen)
    {
        int flags = NbdProtocol.TFLAG_HAS_FLAGS | NbdProtocol.TFLAG_SEND_FLUSH | NbdProtocol.TFLAG_SEND_FUA |
            NbdProtocol.TFLAG_SEND_TRIM | NbdProtocol.TFLAG_SEND_WRITE_ZEROES | NbdProtocol.TFLAG_SEND_FAST_ZERO |
            NbdProtocol.TFLAG_SEND_CACHE | NbdProtocol.TFLAG_CAN_MULTI_CONN;
        if (structured)
        {
            // proto.md: NBD_FLAG_SEND_DF only once structured replies are negotiated.
            flags |= NbdProtocol.TFLAG_SEND_DF;
        }
        if (chosen.readOnly())
        {
            flags |= NbdProtocol.TFLAG_READ_ONLY;
        }
        return flags;
    }

    private boolean decodeRequest(final ByteBuf in)
    {
        if (null != continuation)
        {
            return decodeContinuation(in);
        }
        if (in.readableBytes() < RequestHeader.LENGTH)
        {
            awaitedFrameBytes = RequestHeader.LENGTH;
            return false;
        }
        header.wrap(in, in.readerIndex());
        if (!header.hasValidMagic())
        {
            return fault("request-magic", "request magic 0x" + Integer.toHexString(header.magic()));
        }
        final int type = header.type();
        final long length = header.length();
        final boolean carriesData = NbdProtocol.CMD_WRITE == type;
        if (carriesData && length > NbdProtocol.MAX_PAYLOAD_BYTES)
        {
            return fault("request-length", "WRITE of " + length + " bytes (limit " + NbdProtocol.MAX_PAYLOAD_BYTES + ")");
        }
        if (NbdProtocol.CMD_DISC == type)
        {
            in.skipBytes(RequestHeader.LENGTH);
            disconnect();
            return true;
        }
        final int frame = RequestHeader.LENGTH + (carriesData ? (int)length : 0);
        final int missing = frame - in.readableBytes();
        if (missing > 0 && (tls || !pending.isEmpty() || !loan.mayLend(missing, channel, sink, metrics, peer)))
        {
            awaitedFrameBytes = frame;
            return false;
        }
        final int error = RequestCheck.check(type, header.flags(), header.offset(), length, export, structured,
            blockStatusEnabled, alignment);
        if (missing > 0 && 0 != error)
        {
            // The error reply skips the whole frame, so it waits for the data like any WRITE.
            awaitedFrameBytes = frame;
            return false;
        }
        awaitedFrameBytes = 0;
        final long cookie = header.cookie();
        if (0 != error)
        {
            in.skipBytes(frame);
            replyError(type, cookie, error);
            return true;
        }
        final BlockRequest slot = freeSlots.poll();
        if (null == slot)
        {
            // Slots come back in writeCompleted on this loop, which resumes reading.
            pause();
            return false;
        }
        slot.set(NbdCommands.op(type), NbdCommands.flags(header.flags()), cookie, header.offset(), length,
            System.nanoTime());
        final int onSocket = Math.max(0, missing);
        if (carriesData)
        {
            slot.payload(in.retain(), in.readerIndex() + RequestHeader.LENGTH, onSocket);
            cumulationSliced = true;
        }
        in.skipBytes(frame - onSocket);
        inFlight++;
        if (onSocket > 0)
        {
            loan.lend();
            channel.config().setAutoRead(false);
        }
        return dispatch(slot);
    }

    /** Hands a request to the disk's queue; when it is full, reading pauses until it takes it. */
    private boolean dispatch(final BlockRequest request)
    {
        if (!sink.offer(request))
        {
            stalled = request;
            pause();
            ctx.executor().schedule(retryStalled, OFFER_RETRY_US, TimeUnit.MICROSECONDS);
            return false;
        }
        unannounced = true;
        return true;
    }

    /** The rest of a WRITE the worker stopped waiting for: received here, then queued again. */
    private boolean decodeContinuation(final ByteBuf in)
    {
        final BlockRequest request = continuation;
        final int needed = request.socketBytes();
        if (in.readableBytes() < needed)
        {
            awaitedFrameBytes = needed;
            return false;
        }
        awaitedFrameBytes = 0;
        continuation = null;
        request.payload(in.retain(), in.readerIndex(), 0);
        cumulationSliced = true;
        in.skipBytes(needed);
        final boolean dispatched = dispatch(request);
        if (disconnectWhenWhole)
        {
            disconnect();
            return true;
        }
        return dispatched;
    }

    /** The socket a large WRITE was received from with splice(2); read by the blk worker it was lent to. */
    @Override
    public SocketSplicer splicer()
    {
        return loan.splicer();
    }

    /** The connection closed: a worker holding its socket stops receiving. Any thread. */
    @Override
    public boolean gone()
    {
        return gone;
    }

    /**
     * Called by the blk worker when it is done reading the lent socket: the WRITE's data is all
     * received, or the client went away, or it sent too slowly and {@code rest} is the request
     * for the data still to come, which this event loop then receives. Any thread.
     */
    @Override
    public void returnSocket(final BlockRequest rest)
    {
        handedBack = rest;
        try
        {
            channel.eventLoop().execute(socketReturned);
        }
        catch (final RejectedExecutionException ex)
        {
            // The server is shutting down and nobody else will close it.
            loan.splicer().close();
        }
    }

    private void socketReturned()
    {
        final BlockRequest rest = handedBack;
        handedBack = null;
        loan.returned(null != rest);
        if (State.CLOSED == state)
        {
            loan.closeUnlessLent();
            return;
        }
        continuation = rest;
        if (disconnectWhenWhole && null == rest)
        {
            disconnect();
            return;
        }
        if (!paused && State.TRANSMISSION == state)
        {
            channel.config().setAutoRead(true);
        }
    }

    /** An error found before the request reached a worker (proto.md: error values per command). */
    private void replyError(final int type, final long cookie, final int error)
    {
        export.countError(error);
        final ByteBuf reply;
        if (structured && (NbdProtocol.CMD_READ == type || NbdProtocol.CMD_BLOCK_STATUS == type))
        {
            // proto.md: once structured replies are negotiated, a READ is answered with chunks only.
            reply = ctx.alloc().buffer(ReplyEncoder.CHUNK_HEADER_LENGTH + ReplyEncoder.ERROR_PAYLOAD);
            ReplyEncoder.errorChunk(reply, error, cookie);
        }
        else
        {
            reply = ctx.alloc().buffer(ReplyEncoder.SIMPLE_REPLY_LENGTH);
            ReplyEncoder.simpleReply(reply, error, cookie);
        }
        ctx.writeAndFlush(reply, ctx.voidPromise());
    }

    /**
     * The export is going away: reads no more requests, lets the ones in flight finish and their
     * replies go out, then closes, as for NBD_CMD_DISC. Any thread.
     */
    @Override
    public void finishAndClose()
    {
        try
        {
            channel.eventLoop().execute(() ->
            {
                if (State.TRANSMISSION == state && (loan.lent() || null != continuation))
                {
                    disconnectWhenWhole = true; // a WRITE's data is still arriving: take it in first
                }
                else if (State.TRANSMISSION == state)
                {
                    disconnect();
                }
                else if (State.CLOSED != state && State.DISCONNECTING != state)
                {
                    ctx.close();
                }
            });
        }
        catch (final RejectedExecutionException ex)
        {
            channel.close();
        }
    }

    /** proto.md: on NBD_CMD_DISC the server finishes the requests in flight, then closes. */
    private void disconnect()
    {
        state = State.DISCONNECTING;
        channel.config().setAutoRead(false);
        if (0 == inFlight)
        {
            closeAfterFlush(null);
        }
    }

    @Override
    public ByteBufAllocator alloc()
    {
        return channel.alloc();
    }

    @Override
    public ReplyLayout layout()
    {
        return structured ? NbdReplyLayout.STRUCTURED : NbdReplyLayout.SIMPLE;
    }

    /** The session runs inside TLS (STARTTLS): replies are encrypted on the event loop. */
    @Override
    public boolean encrypted()
    {
        return tls;
    }

    @Override
    public void close()
    {
        channel.close();
    }

    /**
     * Called by the blk worker with the finished request; its reply goes out after {@link #publish()}.
     * Replies are handed to the event loop in batches: one task writes every reply that is ready and
     * flushes once, so a busy connection gets one writev for many replies (nbdkit gets the same from
     * MSG_MORE), and the event loop is woken once per batch. A request without a reply of its own
     * (WRITE, FLUSH, TRIM... or an error) is encoded by the event loop into one buffer shared by the
     * whole batch, so the worker allocates nothing.
     */
    @Override
    public void complete(final BlockRequest request)
    {
        completed.offer(request); // never full: it holds at most the connection's REQUEST_SLOTS
    }

    /**
     * Called by the blk worker after a batch of {@link #complete} calls: has the event loop write
     * them, waking it (one eventfd write) only when no write pass is already scheduled.
     */
    @Override
    public void publish()
    {
        if (!writeScheduled.get() && writeScheduled.compareAndSet(false, true))
        {
            try
            {
                channel.eventLoop().execute(writeCompleted);
            }
            catch (final RejectedExecutionException ex)
            {
                // The server is shutting down; the connection goes with it.
                writeScheduled.set(false);
            }
        }
    }

    private void writeCompleted()
    {
        // Cleared before draining: a reply offered from now on schedules another pass.
        writeScheduled.set(false);
        int written = 0;
        ByteBuf simpleReplies = null;
        BlockRequest request;
        while (null != (request = completed.poll()))
        {
            final ByteBuf reply = request.takeReply();
            if (null != reply)
            {
                ctx.write(reply, ctx.voidPromise());
            }
            else if (BlockError.NONE != request.error() && structured && NbdCommands.answeredInChunks(request.op()))
            {
                final ByteBuf chunk = ctx.alloc().buffer(ReplyEncoder.CHUNK_HEADER_LENGTH + ReplyEncoder.ERROR_PAYLOAD);
                ReplyEncoder.errorChunk(chunk, NbdCommands.error(request.error()), request.tag());
                ctx.write(chunk, ctx.voidPromise());
            }
            else
            {
                if (null == simpleReplies)
                {
                    simpleReplies = ctx.alloc().directBuffer(
                        ReplyEncoder.SIMPLE_REPLY_LENGTH * Math.min(REQUEST_SLOTS, 1 + completed.size()));
                }
                ReplyEncoder.simpleReply(simpleReplies, NbdCommands.error(request.error()), request.tag());
            }
            freeSlots.offer(request);
            written++;
        }
        if (0 == written)
        {
            return;
        }
        if (null != simpleReplies)
        {
            ctx.write(simpleReplies, ctx.voidPromise());
        }
        inFlight -= written;
        ctx.flush();
        if (State.DISCONNECTING == state)
        {
            if (0 == inFlight)
            {
                closeAfterFlush(null);
            }
            return;
        }
        if (paused && null == stalled && State.TRANSMISSION == state)
        {
            resume();
        }
    }

    private void pause()
    {
        paused = true;
        channel.config().setAutoRead(false);
    }

    private void retryStalled()
    {
        if (null == stalled || State.CLOSED == state)
        {
            return;
        }
        if (!sink.offer(stalled))
        {
            wakeSink();
            ctx.executor().schedule(retryStalled, OFFER_RETRY_US, TimeUnit.MICROSECONDS);
            return;
        }
        stalled = null;
        unannounced = true;
        resume();
    }

    private void resume()
    {
        paused = false;
        if (!loan.lent())
        {
            channel.config().setAutoRead(true);
        }
        decode();
    }

    /** Ends the session for a protocol violation: counted, logged once per repeat window, closed. */
    boolean fault(final String kind, final String detail)
    {
        metrics.protocolErrors().incrementRelease();
        metrics.errors().record("nbd", kind, peer + ": " + detail);
        state = State.CLOSED;
        releaseInput();
        ctx.close();
        return false;
    }

    /** Closes after the pending writes went out (ABORT, refused EXPORT_NAME). */
    void closeAfterFlush(final ByteBuf last)
    {
        state = State.CLOSED;
        if (null == last)
        {
            ctx.writeAndFlush(ctx.alloc().buffer(0)).addListener(ChannelFutureListener.CLOSE);
        }
        else
        {
            ctx.writeAndFlush(last).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
