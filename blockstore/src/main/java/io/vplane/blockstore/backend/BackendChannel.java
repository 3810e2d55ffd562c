package io.vplane.blockstore.backend;

import io.vplane.blockstore.request.BlockCompletions;
import io.vplane.blockstore.request.BlockRequest;

import java.nio.ByteBuffer;

/**
 * One disk queue's way to an {@link AsyncStorageBackend}: requests go in, and come back through
 * the {@link BlockCompletions} given with each, on another thread, within the backend's timeout.
 */
public interface BackendChannel extends AutoCloseable
{
    /**
     * Starts {@code request}: a READ fills {@code data[0]}, a WRITE sends {@code data} back to back;
     * other operations carry none (null).
     *
     * @return false when the channel has no room for another request now (retry after a completion)
     */
    boolean submit(BlockRequest request, ByteBuffer[] data, BlockCompletions done);

    /** Requests this channel may have in flight at most (fewer when other queues share its connection). */
    int capacity();

    @Override
    void close();
}
