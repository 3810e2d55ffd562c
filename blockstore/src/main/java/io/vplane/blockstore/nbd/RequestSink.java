package io.vplane.blockstore.nbd;

/** Where an event loop hands decoded requests; drained by a blk worker. */
public interface RequestSink
{
    /** @return false when the queue is full; the caller retries later */
    boolean offer(NbdRequest request);
}
