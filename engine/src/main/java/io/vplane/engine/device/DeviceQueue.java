package io.vplane.engine.device;

/**
 * One work queue of a device. At any moment exactly one thread (the worker running the queue's
 * group) calls {@link #poll}; a rebind hands the queue to another worker only after the first has
 * stopped, so a queue's consumer state needs no synchronisation of its own.
 */
public interface DeviceQueue
{
    /** Index of the queue within its device. */
    int index();

    /** What {@link #completed} answers for a queue whose polls count exactly the requests they serve. */
    long COUNTED_BY_POLLS = -1;

    /**
     * Takes and processes up to {@code limit} requests.
     *
     * @return the work done, 0 when there was none (the worker's idle strategy backs off on 0); for
     * most queues the requests served, see {@link #completed}; fewer than {@code limit} means the
     * queue ran empty
     */
    int poll(int limit);

    /**
     * Requests this queue has completed so far, for a queue whose polls count steps of work rather
     * than requests (a disk queue counts a request when it takes it in and again when it completes
     * it, so its worker does not back off while requests move through); {@link #COUNTED_BY_POLLS}
     * when the polls' count is the requests served. Read from any thread.
     */
    default long completed()
    {
        return COUNTED_BY_POLLS;
    }

    /** Requests waiting; approximate, safe to call from any thread. */
    long backlog();

    /** How an idle worker can sleep until this queue has work, or null when it must be polled. */
    default QueueWakeup wakeup()
    {
        return null;
    }

    /** The latency of this queue's requests from offer to served, or null when its requests carry no offer time. */
    default RequestLatency latency()
    {
        return null;
    }
}
