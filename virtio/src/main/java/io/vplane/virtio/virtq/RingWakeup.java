package io.vplane.virtio.virtq;

import io.vplane.engine.device.QueueWakeup;

import java.util.function.BooleanSupplier;

/**
 * The wakeup of an engine queue that drives virtqueues: the fd is the queue's own epoll set (the
 * rings' kick eventfds and a bell), arming asks the driver to kick and disarming goes back to
 * polling without kicks. Nothing is consumed here: the queue harvests its set itself (when it
 * disarms, or at its next poll), inside a visit of its rings, so a kick fd cannot change under the read.
 */
public final class RingWakeup implements QueueWakeup
{
    private final int eventFd;
    private final BooleanSupplier armKicks;
    private final Runnable disarmKicks;

    /**
     * @param eventFd     the queue's epoll set, stable for the life of the queue
     * @param armKicks    the worker, before it sleeps: false when work is already waiting
     * @param disarmKicks the worker, after it slept or chose not to
     */
    public RingWakeup(final int eventFd, final BooleanSupplier armKicks, final Runnable disarmKicks)
    {
        this.eventFd = eventFd;
        this.armKicks = armKicks;
        this.disarmKicks = disarmKicks;
    }

    @Override
    public int eventFd()
    {
        return eventFd;
    }

    @Override
    public boolean arm()
    {
        return armKicks.getAsBoolean();
    }

    @Override
    public void disarm()
    {
        disarmKicks.run();
    }

    @Override
    public void consume()
    {
        // the queue harvests its own set, inside a visit of its rings (see the class comment)
    }
}
