package io.vplane.engine.wakeup;

import io.vplane.engine.device.QueueWakeup;
import io.vplane.engine.linux.Errno;
import io.vplane.engine.linux.EventFd;
import io.vplane.engine.linux.FileIo;
import io.vplane.engine.ordering.FieldHandles;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.function.LongSupplier;

/**
 * A {@link QueueWakeup} for producers inside the process: an eventfd and an armed flag. The
 * consumer arms (volatile store) and then looks at the backlog; the producer publishes its request
 * and then, after a full fence, looks at the flag. Whatever the interleaving, one of them sees the
 * other, so a request never waits for a sleeping worker. A producer that finds the flag down pays
 * one fence and one load, no system call.
 */
public final class Doorbell implements QueueWakeup, AutoCloseable
{
    private static final VarHandle ARMED = FieldHandles.of(MethodHandles.lookup(), "armed", boolean.class);

    private final int eventFd;
    private final LongSupplier backlog;
    @SuppressWarnings("unused") // accessed through ARMED
    private volatile boolean armed;

    /**
     * @param backlog requests waiting in the queue, read by the consumer after arming
     */
    public Doorbell(final LongSupplier backlog)
    {
        this.backlog = backlog;
        this.eventFd = EventFd.create(0, EventFd.EFD_NONBLOCK | EventFd.EFD_CLOEXEC);
        if (eventFd < 0)
        {
            throw new IllegalStateException("eventfd: " + Errno.describe(-eventFd));
        }
    }

    @Override
    public int eventFd()
    {
        return eventFd;
    }

    @Override
    public boolean arm()
    {
        ARMED.setVolatile(this, true);
        return 0 == backlog.getAsLong();
    }

    /**
     * Drops the flag only: the {@link WakeupSet} consumes the eventfds that epoll reported, so a
     * ring costs exactly one read and a quiet queue none. A ring that lands after the worker
     * stopped sleeping leaves the eventfd set; the next sleep returns at once and consumes it.
     */
    @Override
    public void disarm()
    {
        ARMED.setRelease(this, false);
    }

    /** Producer side, after publishing requests: wakes the consumer if it sleeps on this queue. */
    public void ring()
    {
        VarHandle.fullFence(); // the request's publication before the flag's load (Dekker)
        if ((boolean)ARMED.getVolatile(this) && ARMED.compareAndSet(this, true, false))
        {
            EventFd.signal(eventFd);
        }
    }

    @Override
    public void close()
    {
        FileIo.close(eventFd);
    }
}
