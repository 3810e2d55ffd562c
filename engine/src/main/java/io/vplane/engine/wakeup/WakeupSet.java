package io.vplane.engine.wakeup;

import io.vplane.engine.device.QueueWakeup;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The queues a worker may sleep on, in one epoll set. Used only by the worker's own thread: the
 * worker adds and removes queues between duty cycles, its idle strategy arms, waits and disarms.
 * A worker carrying any queue that cannot ring must poll, so it never sleeps on the set.
 */
public final class WakeupSet implements AutoCloseable
{
    private static final int MAX_EVENTS = 64;

    private final EpollSet set = EpollSet.plain(MAX_EVENTS);
    private final List<QueueWakeup> wakeups = new ArrayList<>();
    private final Doorbell control;
    private int unwakeable;

    /**
     * @param controlBacklog work for the worker itself (commands in its inbox, a pending close):
     *                       non-zero keeps it from sleeping, and {@link #wakeUp()} ends a sleep
     */
    public WakeupSet(final LongSupplier controlBacklog)
    {
        control = new Doorbell(controlBacklog);
        set.add(control.eventFd());
    }

    /** From any thread, after giving the worker work of its own: ends its sleep. */
    public void wakeUp()
    {
        control.ring();
    }

    /** @param wakeup a queue's wakeup, or null for a queue that must be polled */
    public void add(final QueueWakeup wakeup)
    {
        if (null == wakeup)
        {
            unwakeable++;
            return;
        }
        wakeups.add(wakeup);
        set.add(wakeup.eventFd());
    }

    public void remove(final QueueWakeup wakeup)
    {
        if (null == wakeup)
        {
            unwakeable--;
            return;
        }
        if (wakeups.remove(wakeup))
        {
            set.remove(wakeup.eventFd());
        }
    }

    /** True when every queue can ring (a worker without queues sleeps until it gets a command). */
    public boolean canSleep()
    {
        return 0 == unwakeable;
    }

    /**
     * Arms every queue and, unless one already has work, waits until one rings or the timeout passes.
     *
     * @return true if it slept
     */
    public boolean sleep(final int timeoutMs)
    {
        boolean quiet = control.arm();
        for (int i = 0, n = wakeups.size(); i < n; i++)
        {
            quiet &= wakeups.get(i).arm();
        }
        if (quiet)
        {
            final int ready = set.await(timeoutMs);
            for (int i = 0; i < ready; i++)
            {
                consume(set.readyFd(i));
            }
        }
        for (int i = 0, n = wakeups.size(); i < n; i++)
        {
            wakeups.get(i).disarm();
        }
        control.disarm();
        return quiet;
    }

    /** Only the wakeups that rang are consumed: one read per ring, none for quiet queues. */
    private void consume(final int readyFd)
    {
        if (readyFd == control.eventFd())
        {
            control.consume();
            return;
        }
        for (int i = 0, n = wakeups.size(); i < n; i++)
        {
            final QueueWakeup wakeup = wakeups.get(i);
            if (wakeup.eventFd() == readyFd)
            {
                wakeup.consume();
                return;
            }
        }
    }

    @Override
    public void close()
    {
        control.close();
        set.close();
    }
}
