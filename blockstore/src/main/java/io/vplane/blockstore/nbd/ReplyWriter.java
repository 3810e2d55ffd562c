package io.vplane.blockstore.nbd;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.vplane.blockstore.request.BlockError;
import io.vplane.blockstore.request.BlockRequest;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Sends a connection's transmission-phase replies (NBD proto.md: "Simple reply message",
 * "Structured reply chunk message"). Workers {@link #complete} requests and {@link #publish} once
 * per batch; one event-loop task then writes every reply that is ready and flushes once, so a busy
 * connection gets one writev for many replies (nbdkit gets the same from MSG_MORE) and the event
 * loop is woken once per batch. Replies without data are encoded here, into one buffer shared by
 * the batch, so the workers allocate nothing for them.
 */
final class ReplyWriter
{
    private final NbdConnection connection;
    /** Requests the workers finished, waiting for the event loop to write their replies. */
    private final ManyToOneConcurrentArrayQueue<BlockRequest> completed;
    /** Where written requests go back to, for the decoder to take again. */
    private final ManyToOneConcurrentArrayQueue<BlockRequest> freeSlots;
    private final AtomicBoolean writeScheduled = new AtomicBoolean();
    private final Runnable writeCompleted = this::writeCompleted;

    ReplyWriter(final NbdConnection connection, final ManyToOneConcurrentArrayQueue<BlockRequest> freeSlots, final int slots)
    {
        this.connection = connection;
        this.freeSlots = freeSlots;
        this.completed = new ManyToOneConcurrentArrayQueue<>(slots);
    }

    /** Worker thread, or an asynchronous backend's (several at once): the request is done; its reply goes out after {@link #publish()}. */
    void complete(final BlockRequest request)
    {
        completed.offer(request); // never full: it holds at most the connection's slots
    }

    /** Any thread: wakes the event loop (one eventfd write) unless a write pass is already scheduled. */
    void publish()
    {
        if (!writeScheduled.get() && writeScheduled.compareAndSet(false, true))
        {
            try
            {
                connection.channel().eventLoop().execute(writeCompleted);
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
        final ChannelHandlerContext ctx = connection.ctx;
        int written = 0;
        long dataBytes = 0;
        ByteBuf simpleReplies = null;
        BlockRequest request;
        while (null != (request = completed.poll()))
        {
            final ByteBuf reply = request.takeReply();
            if (null != reply)
            {
                ctx.write(reply, ctx.voidPromise());
            }
            else if (BlockError.NONE != request.error() && connection.structured &&
                NbdCommands.answeredInChunks(request.op()))
            {
                ctx.write(errorChunk(ctx, NbdCommands.error(request.error()), request.tag()), ctx.voidPromise());
            }
            else
            {
                if (null == simpleReplies)
                {
                    simpleReplies = ctx.alloc().directBuffer(
                        ReplyEncoder.SIMPLE_REPLY_LENGTH * Math.min(NbdConnection.REQUEST_SLOTS, 1 + completed.size()));
                }
                ReplyEncoder.simpleReply(simpleReplies, NbdCommands.error(request.error()), request.tag());
            }
            dataBytes += request.budgetBytes();
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
        ctx.flush();
        connection.repliesWritten(written, dataBytes);
    }

    /**
     * Event loop: an error found before the request reached a worker (NBD proto.md: error values
     * per command). Once structured replies are negotiated, a READ or BLOCK_STATUS is answered with
     * chunks only.
     */
    void replyError(final int type, final long cookie, final int error)
    {
        final ChannelHandlerContext ctx = connection.ctx;
        final ByteBuf reply;
        if (connection.structured && (NbdProtocol.CMD_READ == type || NbdProtocol.CMD_BLOCK_STATUS == type))
        {
            reply = errorChunk(ctx, error, cookie);
        }
        else
        {
            reply = ctx.alloc().buffer(ReplyEncoder.SIMPLE_REPLY_LENGTH);
            ReplyEncoder.simpleReply(reply, error, cookie);
        }
        ctx.writeAndFlush(reply, ctx.voidPromise());
    }

    private static ByteBuf errorChunk(final ChannelHandlerContext ctx, final int error, final long cookie)
    {
        final ByteBuf chunk = ctx.alloc().buffer(ReplyEncoder.CHUNK_HEADER_LENGTH + ReplyEncoder.ERROR_PAYLOAD);
        ReplyEncoder.errorChunk(chunk, error, cookie);
        return chunk;
    }

    /** The connection closed: replies that were never sent let go of their buffers. */
    void releaseUnsent()
    {
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
}
