package io.vplane.blockstore.device;

import io.vplane.blockstore.backend.BackendChannel;
import io.vplane.blockstore.request.BlockCompletions;
import io.vplane.blockstore.request.BlockError;
import io.vplane.blockstore.request.BlockRequest;
import io.vplane.engine.wakeup.Doorbell;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;

import java.nio.ByteBuffer;
import java.util.function.Consumer;

/**
 * The requests one disk queue has running on an asynchronous backend (a remote NBD server): the
 * queue's worker submits them and goes on; the backend's threads hand them back through a
 * lock-free queue and ring the queue's doorbell, and the worker finishes them on its next poll.
 * At most {@link BackendChannel#capacity()} are in flight, so the completion queue never fills.
 */
final class RemoteRequests implements BlockCompletions
{
    private final BackendChannel channel;
    private final ManyToOneConcurrentArrayQueue<BlockRequest> completed;
    private final Consumer<BlockRequest> finisher;
    private final Consumer<BlockRequest> finish = this::finish;
    private Doorbell doorbell;
    /** Worker only: submitted and not finished. */
    private int inFlight;
    /** {@link #inFlight} for the control thread that waits for a disk to drain. */
    private volatile int inFlightSeen;
    /** A request the channel had no room for (its connection is shared with other queues), with its data. */
    private BlockRequest stalled;
    private ByteBuffer[] stalledData;
    /** The queue is closing: its doorbell may be gone, so late completions wake nobody. */
    private volatile boolean closed;

    RemoteRequests(final BackendChannel channel, final Consumer<BlockRequest> finisher)
    {
        this.channel = channel;
        this.finisher = finisher;
        this.completed = new ManyToOneConcurrentArrayQueue<>(channel.capacity());
    }

    /** The doorbell of the queue whose worker finishes the completions. */
    void wakes(final Doorbell queueDoorbell)
    {
        this.doorbell = queueDoorbell;
    }

    /** Worker: starts {@code request}; {@code data} may be reused by the caller once this returns. */
    void submit(final BlockRequest request, final ByteBuffer[] data)
    {
        inFlight++;
        inFlightSeen = inFlight;
        if (!channel.submit(request, data, this))
        {
            stalled = request;
            stalledData = null == data || data.length > 1 ? data : new ByteBuffer[] {data[0]}; // rare: the shared connection is full
        }
    }

    /** Backend thread: the request is done; its worker finishes it. */
    @Override
    public void completed(final BlockRequest request, final BlockError error)
    {
        request.completeWith(request.reply(), error);
        completed.offer(request); // never full: at most capacity() requests are in flight
        if (!closed)
        {
            doorbell.ring();
        }
    }

    /** Worker: finishes what completed, then submits a stalled request again. @return requests finished */
    int drain()
    {
        final int finished = completed.drain(finish);
        if (null != stalled && channel.submit(stalled, stalledData, this))
        {
            stalled = null;
            stalledData = null;
        }
        return finished;
    }

    private void finish(final BlockRequest request)
    {
        inFlight--;
        inFlightSeen = inFlight;
        finisher.accept(request);
    }

    /** How many more requests the worker may take now, up to {@code limit}. */
    int room(final int limit)
    {
        return null != stalled ? 0 : Math.min(limit, channel.capacity() - inFlight);
    }

    /** Completions waiting for the worker, and a stalled request to submit again (it keeps the worker polling); any thread. */
    int waiting()
    {
        return completed.size() + (null == stalled ? 0 : 1);
    }

    /** Submitted and not finished; any thread. */
    int inFlight()
    {
        return inFlightSeen;
    }

    void close()
    {
        closed = true;
        channel.close();
    }
}
