package io.vplane.engine.device;

import io.vplane.engine.linux.EventFd;

/**
 * How a queue lets an idle worker sleep until work arrives instead of polling it: the producer
 * writes an eventfd when, and only when, the consumer has armed the queue.
 */
public interface QueueWakeup
{
    /** The eventfd that becomes readable when the producer rings. */
    int eventFd();

    /**
     * Asks the producer to ring on its next request. Must be followed by {@link #disarm()}.
     *
     * @return false when work is already waiting, so the worker must not sleep
     */
    boolean arm();

    /** Back to polling: the producer stops ringing. */
    void disarm();

    /**
     * The sleeper, after epoll reported {@link #eventFd()} readable: takes away what made it
     * readable, so the next sleep does not return at once. Only rung fds are read, one read per
     * ring. A wakeup built on an epoll set of its own consumes the members that set reports.
     */
    default void consume()
    {
        EventFd.read(eventFd());
    }
}
