package io.vplane.blockstore.nbd;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslContext;
import io.netty.util.ReferenceCountUtil;
import io.vplane.blockstore.request.BlockOrigin;
import io.vplane.blockstore.request.BlockQueue;
import io.vplane.blockstore.request.BlockRequest;
import io.vplane.blockstore.request.ReplyLayout;
import io.vplane.blockstore.request.SocketSplicer;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.RejectedExecutionException;

/**
 * One client connection, the NBD front end of the block path: its lifecycle, and handing the
 * requests of the transmission phase to the disk's queue (pausing reading while the queue is full
 * or every slot is taken); a blk worker runs each and gives it back through {@link #complete}.
 * The other jobs are classes of their own: received bytes ({@link InboundFrames}), the handshake
 * ({@link HandshakeDecoder}, {@link OptionHaggler}), requests checked and translated into
 * {@link BlockRequest}s ({@link TransmissionDecoder}), replies ({@link ReplyWriter}), the socket lent
 * for large WRITEs ({@link SocketLoan}) and the client's limits ({@link ConnectionGuard}). Replies
 * may go out in any order (NBD proto.md: "Transmission"). A protocol violation closes this
 * connection only.
 */
public final class NbdConnection extends ChannelInboundHandlerAdapter implements BlockOrigin
{
    /** Requests one connection may have in flight; reading pauses beyond (qemu 16, nbdcopy 64, fio QD). */
    public static final int REQUEST_SLOTS = 128;
    private static final long OFFER_RETRY_US = 50;
    private static final int GREETING_LENGTH = 18;
    /** WRITE data at least this long that has not arrived with its header is received by the blk worker (see {@link SocketSplicer}). */
    public static final int SOCKET_PAYLOAD_BYTES = 64 * 1024;

    enum State
    {
        HANDSHAKE, TRANSMISSION, DISCONNECTING, CLOSED
    }

    final ExportDirectory directory;
    final NbdServerMetrics metrics;
    /** Null when the server offers no TLS. */
    final SslContext tlsContext;
    /** STARTTLS done: the session runs inside TLS. */
    boolean tls;
    private final OptionHaggler haggler = new OptionHaggler(this);
    /** Free request slots; taken by the decoder and given back by the {@link ReplyWriter}, both on the event loop. */
    private final ManyToOneConcurrentArrayQueue<BlockRequest> freeSlots =
        new ManyToOneConcurrentArrayQueue<>(REQUEST_SLOTS);
    private final ReplyWriter replies = new ReplyWriter(this, freeSlots, REQUEST_SLOTS);
    private final Runnable retryStalled = this::retryStalled;

    ChannelHandlerContext ctx;
    private Channel channel;
    InetAddress client;
    String peer = "?";
    private final InboundFrames frames = new InboundFrames();
    final NbdLimits limits;
    private final ConnectionGuard guard;
    private final HandshakeDecoder handshake;
    private final TransmissionDecoder transmission;
    State state = State.HANDSHAKE;
    boolean noZeroes;
    volatile boolean structured;
    /** Export name that base:allocation was selected for with SET_META_CONTEXT, or null. */
    String metaContextExport;
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
    /** The export is going away: disconnect once the WRITE whose data is still arriving is whole. */
    private boolean disconnectWhenWhole;
    /** The connection closed: a worker receiving WRITE data stops. */
    private volatile boolean gone;

    public NbdConnection(final ExportDirectory directory, final NbdServerMetrics metrics, final SslContext tlsContext)
    {
        this(directory, metrics, tlsContext, NbdLimits.DEFAULTS, new ConnectionCaps(NbdLimits.DEFAULTS));
    }

    NbdConnection(
        final ExportDirectory directory,
        final NbdServerMetrics metrics,
        final SslContext tlsContext,
        final NbdLimits limits,
        final ConnectionCaps caps)
    {
        this.directory = directory;
        this.metrics = metrics;
        this.tlsContext = tlsContext;
        this.limits = limits;
        this.guard = new ConnectionGuard(this, limits, caps);
        this.handshake = new HandshakeDecoder(this, haggler, frames, limits);
        this.transmission = new TransmissionDecoder(this, frames, loan, replies, freeSlots, limits);
    }

    /**
     * Switches the session to TLS after the STARTTLS ACK went out (proto.md: "TLS support"). The
     * client must wait for the ACK, so bytes already buffered now are a violation.
     */
    boolean startTls()
    {
        if (frames.hasUndecoded())
        {
            return fault("starttls", "data sent before the STARTTLS reply");
        }
        ctx.pipeline().addFirst("tls", tlsContext.newHandler(ctx.alloc()));
        tls = true;
        // NBD proto.md, NBD_OPT_STARTTLS: the server forgets the negotiation state from before it
        // (structured replies, meta contexts); the client asks again inside TLS.
        structured = false;
        metaContextExport = null;
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

    /** The queue of the export's disk, once in the transmission phase. */
    BlockQueue sink()
    {
        return sink;
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
        metrics.accepted().increment(); // atomic: every event loop of the server counts here
        metrics.open().increment();
        final String refused = guard.admit(ctx, client);
        if (null != refused)
        {
            // Refused before the greeting: NBD has no message for it, so the line says why.
            metrics.errors().record("nbd", "connection-refused", peer + ": refused, " + refused);
            state = State.CLOSED;
            ctx.close();
            return;
        }
        final ByteBuf greeting = ctx.alloc().buffer(GREETING_LENGTH);
        greeting.writeLong(NbdProtocol.NBDMAGIC).writeLong(NbdProtocol.IHAVEOPT)
            .writeShort(NbdProtocol.FLAG_FIXED_NEWSTYLE | NbdProtocol.FLAG_NO_ZEROES);
        ctx.writeAndFlush(greeting, ctx.voidPromise());
    }

    @Override
    public void channelInactive(final ChannelHandlerContext ctx)
    {
        if (State.TRANSMISSION == state)
        {
            vanished();
        }
        state = State.CLOSED;
        gone = true;
        metrics.open().decrement();
        guard.closed();
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
                sink.lendCancelled();
            }
            stalled.releasePayload();
            stalled = null;
        }
        transmission.release();
        loan.closeUnlessLent();
        replies.releaseUnsent();
    }

    /**
     * The client closed (or reset) the connection in the transmission phase without NBD_CMD_DISC.
     * Idle, that is how libnbd clients leave ("no advantage over abruptly closing"); with requests in
     * flight or one partly sent it crashed or was killed mid-request. Only this session ends; what it
     * had in flight is answered to no one.
     */
    private void vanished()
    {
        final boolean partial = frames.hasUndecoded() || loan.lent() || transmission.continuing();
        if (0 == transmission.inFlight() && !partial)
        {
            return;
        }
        metrics.errors().record("nbd", "client-vanished", peer + " (" + (null == export ? "?" : export.name()) +
            "): closed without NBD_CMD_DISC with " + transmission.inFlight() + " requests in flight" +
            (partial ? " and one partly received" : "") + "; their replies are dropped");
    }

    private void releaseInput()
    {
        frames.release();
    }

    /**
     * Back-pressure (Netty channel writability): once the replies waiting for the socket pass the
     * high-water mark the peer is not reading, so no more requests are read from it; a peer that
     * stays so past the limit is dropped. Reading resumes below the low-water mark.
     */
    @Override
    public void channelWritabilityChanged(final ChannelHandlerContext ctx)
    {
        if (State.CLOSED == state)
        {
            return;
        }
        final boolean writable = channel.isWritable();
        if (!writable)
        {
            channel.config().setAutoRead(false);
        }
        if (guard.writabilityChanged(ctx, writable) && !paused && !loan.lent() &&
            (State.TRANSMISSION == state || State.HANDSHAKE == state))
        {
            channel.config().setAutoRead(true);
            decode();
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
        frames.add(in);
        decode();
    }

    private void decode()
    {
        ByteBuf in;
        while (null != (in = frames.current()) && !paused && !guard.unwritable() && !loan.lent())
        {
            if (in.isReadable() && decodeFrame(in))
            {
                continue;
            }
            if (null == frames.current() || paused || guard.unwritable() || !frames.hasMore())
            {
                break;
            }
            frames.advance(ctx.alloc());
        }
        frames.trim();
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
            case HANDSHAKE -> handshake.decode(in);
            case TRANSMISSION -> transmission.decode(in);
            case DISCONNECTING, CLOSED -> false;
        };
    }

    /** Whether {@code chosen} has as many connections as one export may; counted and logged when so. */
    boolean exportFull(final Export chosen)
    {
        if (chosen.connections() < limits.maxConnectionsPerExport())
        {
            return false;
        }
        metrics.errors().record("nbd", "export-full", peer + ": refused, export " + chosen.name() + " has " +
            limits.maxConnectionsPerExport() + " connections (the limit per export)");
        return true;
    }

    /** Enters the transmission phase on {@code export}; false when the disk went away meanwhile. */
    boolean enterTransmission(final Export chosen, final String name)
    {
        final BlockQueue attached = chosen.attach(this);
        if (null == attached)
        {
            return false;
        }
        guard.handshakeDone();
        export = chosen;
        sink = attached;
        transmission.start(name.equals(metaContextExport));
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

    /** Hands a request to the disk's queue; when it is full, reading pauses until it takes it. */
    boolean dispatch(final BlockRequest request)
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

    /** The rest of a WRITE the worker stopped waiting for is whole: queued again. */
    boolean continuationReceived(final BlockRequest request)
    {
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
        transmission.continueWith(rest);
        if (disconnectWhenWhole && null == rest)
        {
            disconnect();
            return;
        }
        if (!paused && !guard.unwritable() && State.TRANSMISSION == state)
        {
            channel.config().setAutoRead(true);
        }
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
                if (State.TRANSMISSION == state && (loan.lent() || transmission.continuing()))
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
    void disconnect()
    {
        state = State.DISCONNECTING;
        channel.config().setAutoRead(false);
        if (0 == transmission.inFlight())
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

    /** Worker thread (or an asynchronous backend's): the request is done; its reply goes out after {@link #publish()} (see {@link ReplyWriter}). */
    @Override
    public void complete(final BlockRequest request)
    {
        replies.complete(request);
    }

    /** Worker thread, after a batch of {@link #complete} calls; or an asynchronous backend's thread after each. */
    @Override
    public void publish()
    {
        replies.publish();
    }

    /** The reply queue takes many producers, and a publish schedules one write pass whoever calls it. */
    @Override
    public boolean repliesFromAnyThread()
    {
        return true;
    }

    /** Event loop: {@code written} replies went out and their slots are free again. */
    void repliesWritten(final int written, final long dataBytes)
    {
        transmission.repliesWritten(written, dataBytes);
        if (State.DISCONNECTING == state)
        {
            if (0 == transmission.inFlight())
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

    void pause()
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
        if (!loan.lent() && !guard.unwritable())
        {
            channel.config().setAutoRead(true);
        }
        decode();
    }

    /** Ends the session for a protocol violation: counted, logged once per repeat window, closed. */
    boolean fault(final String kind, final String detail)
    {
        metrics.protocolErrors().increment();
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
