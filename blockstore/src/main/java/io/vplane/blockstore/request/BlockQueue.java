package io.vplane.blockstore.request;

/**
 * A disk queue as a front end sees it: where its event loop hands requests, drained by a blk
 * worker. Requests are offered one by one and the consumer is woken once per batch, so a burst of
 * requests costs at most one wakeup.
 */
public interface BlockQueue
{
    /** @return false when the queue is full; the caller retries later */
    boolean offer(BlockRequest request);

    /** After a batch of offers: wakes the consumer if it sleeps (a fence and a load when it does not). */
    void wake();

    /**
     * Whether a large WRITE may be handed over with its data still on the front end's socket, for
     * the worker to receive into the disk ({@link SocketSplicer}).
     */
    default boolean receivesFromSockets()
    {
        return false;
    }

    /**
     * A front end is about to hand over a WRITE with its data on the socket: whether the queue takes
     * it. A yes holds back any change of the queue's service until the request is offered (or
     * {@link #lendCancelled}), so the request reaches a service that receives from sockets.
     */
    default boolean tryLend()
    {
        return receivesFromSockets();
    }

    /** The front end will not offer the request {@link #tryLend} said yes to (the connection closed, or it had to pause). */
    default void lendCancelled()
    {
    }
}
