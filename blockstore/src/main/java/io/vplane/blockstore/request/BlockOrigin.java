package io.vplane.blockstore.request;

import io.netty.buffer.ByteBufAllocator;

/**
 * The front end a request came from (one NBD connection, say): how its replies are laid out, and
 * where a blk worker gives the finished request back. The worker calls {@link #complete} for each
 * request, then {@link #publish} once per batch (or, see {@link #repliesFromAnyThread}, an
 * asynchronous backend's thread does, per request).
 */
public interface BlockOrigin
{
    /** Allocator for reply buffers (the front end's transport pools them). */
    ByteBufAllocator alloc();

    /** How a READ or BLOCK_STATUS reply that the worker builds whole is laid out. */
    ReplyLayout layout();

    /** Replies are encrypted before they are sent: a READ must copy its data rather than send mapped memory. */
    boolean encrypted();

    /**
     * The request is done: {@link BlockRequest#reply()} holds the reply the worker built, or it is
     * null and {@link BlockRequest#error()} says the outcome. From now on the request is the front
     * end's again. Worker thread.
     */
    void complete(BlockRequest request);

    /** After a batch of {@link #complete} calls: the front end sends what completed, woken once. */
    void publish();

    /**
     * Whether {@link #complete} and {@link #publish} may be called from any thread, several at once:
     * then an asynchronous backend's own thread hands replies over without the worker.
     */
    default boolean repliesFromAnyThread()
    {
        return false;
    }

    /** The front end went away: a worker receiving WRITE data for it stops. Any thread. */
    boolean gone();

    /** The socket a large WRITE's data is received from, lent to the worker with the request. */
    SocketSplicer splicer();

    /**
     * The worker is done with the lent socket: the data is all received (or the peer went away), or
     * it arrived too slowly and {@code rest} is the request for what is still to come, which the
     * front end receives itself. Any thread.
     */
    void returnSocket(BlockRequest rest);

    /** The disk is going away: take no more requests, let those in flight finish, then close. Any thread. */
    void finishAndClose();

    /** Closes at once. Any thread. */
    void close();
}
