package io.vplane.blockstore.device;

import io.vplane.blockstore.backend.AsyncStorageBackend;
import io.vplane.blockstore.backend.BackendChannel;
import io.vplane.blockstore.request.BlockCompletions;
import io.vplane.blockstore.request.BlockError;
import io.vplane.blockstore.request.BlockRequest;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** A remote backend whose requests complete when the test says so (from any thread); {@code capacity} in flight at most. */
final class HeldRemote extends RecordingBackend implements AsyncStorageBackend, BackendChannel
{
    private final int capacity;
    private final List<BlockRequest> submitted = new ArrayList<>();
    private final List<BlockRequest> held = new ArrayList<>();
    private final List<BlockCompletions> waiting = new ArrayList<>();

    HeldRemote(final int capacity)
    {
        this.capacity = capacity;
    }

    synchronized List<Long> tags()
    {
        return submitted.stream().map(BlockRequest::tag).toList();
    }

    void completeAll()
    {
        while (completeOne())
        {
            // one at a time, outside the lock: a completion may submit again
        }
    }

    /** Completes the oldest request held. @return false when none was */
    boolean completeOne()
    {
        final BlockRequest request;
        final BlockCompletions done;
        synchronized (this)
        {
            if (held.isEmpty())
            {
                return false;
            }
            request = held.removeFirst();
            done = waiting.removeFirst();
        }
        done.completed(request, BlockError.NONE);
        return true;
    }

    @Override
    public BackendChannel openChannel()
    {
        return this;
    }

    @Override
    public synchronized boolean submit(final BlockRequest request, final ByteBuffer[] data, final BlockCompletions done)
    {
        submitted.add(request);
        held.add(request);
        waiting.add(done);
        return true;
    }

    @Override
    public int capacity()
    {
        return capacity;
    }
}
