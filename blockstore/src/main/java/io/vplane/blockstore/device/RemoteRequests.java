package io.vplane.blockstore.device;

import io.vplane.blockstore.backend.BackendChannel;
import io.vplane.blockstore.request.BlockCompletions;
import io.vplane.blockstore.request.BlockError;
import io.vplane.blockstore.request.BlockRequest;
import io.vplane.engine.wakeup.Doorbell;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The requests one disk queue has running on an asynchronous backend (librbd, a remote NBD
 * server): the queue's worker submits them and goes on. A completed request whose front end takes
 * replies from any thread (an NBD connection) is finished on the backend's thread, straight into
 * the front end's reply queue: one thread hop per request instead of two, and no worker wakeup.
 * Others go back through a lock-free queue and the queue's doorbell, and the worker finishes them
 * on its next poll. At most {@link BackendChannel#capacity()} are in flight, so that queue never fills.
 */
final class RemoteRequests implements BlockCompletions
{
    private final BackendChannel channel;
    private final ManyToOneConcurrentArrayQueue<BlockRequest> completed;
    private final Consumer<BlockRequest> finisher;
    private final Consumer<BlockRequest> directFinisher;
    private final Consumer<BlockRequest> finish = this::finish;
    private Doorbell doorbell;
    /** Submitted and not finished: the worker adds, whichever thread finishes takes away. */
    private final AtomicInteger inFlight = new AtomicInteger();
    /** A request the channel had no room for (its connection is shared with other queues), with its data. */
    private BlockRequest stalled;
    private ByteBuffer[] stalledData;
    /** {@link #stalled} is set: a completion wakes the worker to submit it again. */
    private volatile boolean stall;
    /** Someone waits for the queue to empty (a change of service): the last completion wakes the worker. */
    private volatile boolean wakeWhenIdle;
    /** The queue is closing: its doorbell may be gone, so late completions wake nobody. */
    private volatile boolean closed;

    /**
     * @param finisher       the worker's end of a request
     * @param directFinisher the end of a request on the backend's thread, for front ends that take replies from any thread
     */
    RemoteRequests(final BackendChannel channel, final Consumer<BlockRequest> finisher,
        final Consumer<BlockRequest> directFinisher)
    {
        this.channel = channel;
        this.finisher = finisher;
        this.directFinisher = directFinisher;
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
        inFlight.incrementAndGet();
        if (!channel.submit(request, data, this))
        {
            stalled = request;
            stalledData = null == data || data.length > 1 ? data : new ByteBuffer[] {data[0]}; // rare: the shared connection is full
            stall = true;
        }
    }

    /** Backend thread: the request is done; finished here or by its worker. */
    @Override
    public void completed(final BlockRequest request, final BlockError error)
    {
        request.completeWith(request.reply(), error);
        if (request.origin().repliesFromAnyThread())
        {
            directFinisher.accept(request);
            final int left = inFlight.decrementAndGet();
            // The worker sleeps through completions it does not finish, unless it waits for room or for none in flight.
            if (!closed && (left == channel.capacity() - 1 || stall || 0 == left && wakeWhenIdle))
            {
                doorbell.ring();
            }
            return;
        }
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
            stall = false;
        }
        return finished;
    }

    private void finish(final BlockRequest request)
    {
        inFlight.decrementAndGet();
        finisher.accept(request);
    }

    /** How many more requests the worker may take now, up to {@code limit}. */
    int room(final int limit)
    {
        return null != stalled ? 0 : Math.min(limit, channel.capacity() - inFlight.get());
    }

    /** Completions waiting for the worker, and a stalled request to submit again (it keeps the worker polling); any thread. */
    int waiting()
    {
        return completed.size() + (stall ? 1 : 0);
    }

    /** Submitted and not finished; any thread. */
    int inFlight()
    {
        return inFlight.get();
    }

    /** From now on the completion that leaves none in flight wakes the worker (it waits for that to change its service). */
    void wakeWhenIdle()
    {
        wakeWhenIdle = true;
    }

    void close()
    {
        closed = true;
        channel.close();
    }
}
