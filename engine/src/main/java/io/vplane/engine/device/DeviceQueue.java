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

    /**
     * Takes and processes up to {@code limit} requests.
     *
     * @return how many were processed; fewer than {@code limit} means the queue ran empty
     */
    int poll(int limit);

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
