package io.vplane.engine.device;

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

    /** Back to polling: the producer stops ringing. The sleeper consumes the eventfds epoll reported. */
    void disarm();
}
