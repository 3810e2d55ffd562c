package io.vplane.blockstore.request;

/**
 * Where a backend that finishes requests on threads of its own (a remote server's connection)
 * hands them back to the disk worker that submitted them: through a lock-free queue and a wakeup,
 * so the worker never waits for the remote.
 */
public interface BlockCompletions
{
    /** The backend is done with {@code request}; {@code error} is its outcome. Any thread. */
    void completed(BlockRequest request, BlockError error);
}
