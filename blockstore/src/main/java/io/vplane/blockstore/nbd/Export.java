package io.vplane.blockstore.nbd;

import io.vplane.blockstore.request.BlockOrigin;
import io.vplane.blockstore.request.BlockQueue;

/** What the protocol layer needs of an exported disk. */
public interface Export
{
    String name();

    String description();

    long sizeBytes();

    boolean readOnly();

    /** Smallest I/O unit, a power of two; 1 means any alignment. */
    int minBlockBytes();

    /** Served only over TLS (after NBD_OPT_STARTTLS). */
    boolean requiresTls();

    /** Counts an error reply the event loop sent for this export (the workers count their own). */
    void countError(int errno);

    /**
     * Chooses the queue a new connection's requests go to, spreading connections over the disk's
     * queues, and counts the connection as open on the export until {@link #detach}.
     *
     * @return the queue, or null when the disk no longer takes connections
     */
    BlockQueue attach(BlockOrigin connection);

    /** Connections in the transmission phase on this export now. */
    int connections();

    /** The connection closed. */
    void detach(BlockOrigin connection);
}
