package io.vplane.blockstore.device;

import io.vplane.blockstore.request.BlockQueue;
import io.vplane.blockstore.request.BlockRequest;
import io.vplane.engine.device.DeviceQueue;
import io.vplane.engine.device.QueueWakeup;
import io.vplane.engine.wakeup.Doorbell;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;

/**
 * One queue of a disk. Front ends (event loops of all connections assigned to it) offer requests; the one blk
 * worker running the queue's group drains them. Agrona's ManyToOneConcurrentArrayQueue fits that
 * shape exactly: many producers, one consumer, a preallocated bounded array (no node allocated per
 * offer, unlike ConcurrentLinkedQueue), lock-free, and full is reported rather than blocking, so an
 * event loop never waits on a disk. The requests themselves are the front ends' preallocated entries.
 */
final class DiskQueue implements DeviceQueue, BlockQueue
{
    private final int index;
    private final ManyToOneConcurrentArrayQueue<BlockRequest> requests;
    private final RequestExecutor executor;
    private final Doorbell doorbell;

    DiskQueue(final int index, final int capacity, final RequestExecutor executor)
    {
        this.index = index;
        this.requests = new ManyToOneConcurrentArrayQueue<>(capacity);
        this.executor = executor;
        this.doorbell = new Doorbell(this::waitingWork);
        executor.wakes(doorbell);
    }

    /** What the worker would find on waking: requests it may take now, and remote completions. */
    private long waitingWork()
    {
        return (executor.room(1) > 0 ? requests.size() : 0) + executor.remoteCompletionsWaiting() +
            executor.slicedWaiting();
    }

    @Override
    public int index()
    {
        return index;
    }

    @Override
    public boolean offer(final BlockRequest request)
    {
        return requests.offer(request);
    }

    @Override
    public void wake()
    {
        doorbell.ring(); // wakes a parked blk worker; costs a fence and a load when none sleeps
    }

    @Override
    public boolean receivesFromSockets()
    {
        return executor.receivesFromSockets();
    }

    /** Replies of the whole drain are handed to their event loops together: one wakeup per batch. */
    @Override
    public int poll(final int limit)
    {
        final int finished = executor.drainCompletions() + executor.continueSliced();
        final int room = executor.room(limit);
        final int drained = room > 0 ? requests.drain(executor, room) : 0;
        if (finished + drained > 0)
        {
            executor.publishReplies();
        }
        return finished + drained;
    }

    @Override
    public long backlog()
    {
        return requests.size() + executor.pendingBacklog();
    }

    @Override
    public QueueWakeup wakeup()
    {
        return doorbell;
    }

    void close()
    {
        executor.close();
        doorbell.close();
    }
}
