package io.vplane.nic.port;

import io.vplane.engine.posix.Posix;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The fds a sleeping worker waits on for one virtqueue: an epoll set of its own (the fd the engine
 * sees, stable for the life of the queue) holding the current ring's kick eventfd, which the
 * frontend changes at will, and a bell the control thread rings when it hands over a new ring.
 * <p>
 * Threads: the control thread adds and removes the kick fd; the polling worker harvests and reads
 * the ready fds, inside a visit of the queue (see {@link NetQueue}), so the kick fd it reads is
 * never closed or reused under it. An fd is read only after epoll said it is readable: a frontend
 * may hand over a blocking eventfd, and such a read must not block the worker.
 */
final class KickWakeup implements AutoCloseable
{
    private static final int MAX_EVENTS = 4;
    private static final long EVENTFD_READ_BYTES = 8;

    private final int epollFd;
    private final int bellFd;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment events = arena.allocate((long)MAX_EVENTS * Posix.EPOLL_EVENT_SIZE, 8);
    private final MemorySegment counter = arena.allocate(EVENTFD_READ_BYTES, 8);
    private volatile int kickFd = -1;

    KickWakeup()
    {
        epollFd = Posix.epollCreate();
        if (epollFd < 0)
        {
            arena.close();
            throw new IllegalStateException("epoll_create1: " + Posix.describe(-epollFd));
        }
        bellFd = Posix.eventfd(0, Posix.EFD_NONBLOCK | Posix.EFD_CLOEXEC);
        if (bellFd < 0)
        {
            Posix.close(epollFd);
            arena.close();
            throw new IllegalStateException("eventfd: " + Posix.describe(-bellFd));
        }
        Posix.epollCtl(epollFd, Posix.EPOLL_CTL_ADD, bellFd);
    }

    /** The fd that becomes readable on a kick or a bell. */
    int eventFd()
    {
        return epollFd;
    }

    /**
     * Control thread: a new ring runs with this kick fd (-1: none, the frontend polls or never
     * kicks); the bell makes a sleeping worker look at the ring at once.
     *
     * @return 0, or a negative errno when the fd cannot be waited on (the queue then wakes only on
     *         the worker's timeout)
     */
    int attachKick(final int fd)
    {
        int rc = 0;
        if (fd >= 0)
        {
            rc = Posix.epollCtl(epollFd, Posix.EPOLL_CTL_ADD, fd);
            if (rc == 0)
            {
                kickFd = fd;
            }
        }
        ringBell();
        return rc;
    }

    /** Control thread, after the worker left the ring and before the frontend's fd is closed. */
    void detachKick()
    {
        final int fd = kickFd;
        if (fd >= 0)
        {
            kickFd = -1;
            Posix.epollCtl(epollFd, Posix.EPOLL_CTL_DEL, fd);
        }
    }

    void ringBell()
    {
        Posix.eventfdSignal(bellFd);
    }

    /**
     * Worker, inside a visit: consumes every pending kick and bell, so the set stops being readable.
     *
     * @return false when the kick fd is not an eventfd that can be read (it was taken out of the set)
     */
    boolean consume()
    {
        final int ready = Posix.epollWait(epollFd, events, MAX_EVENTS, 0);
        boolean ok = true;
        for (int i = 0; i < ready; i++)
        {
            final int fd = (int)events.get(ValueLayout.JAVA_LONG_UNALIGNED, (long)i * Posix.EPOLL_EVENT_SIZE + Posix.EPOLL_EVENT_DATA_OFFSET);
            if (fd == bellFd)
            {
                Posix.eventfdRead(bellFd);
            }
            else if (fd == kickFd)
            {
                final long rc = Posix.read(fd, counter, EVENTFD_READ_BYTES);
                if (rc != EVENTFD_READ_BYTES && rc != -Posix.EAGAIN)
                {
                    // not an eventfd (EOF, hang-up, error): it would keep the set readable for ever
                    kickFd = -1;
                    Posix.epollCtl(epollFd, Posix.EPOLL_CTL_DEL, fd);
                    ok = false;
                }
            }
        }
        return ok;
    }

    @Override
    public void close()
    {
        Posix.close(bellFd);
        Posix.close(epollFd);
        arena.close();
    }
}
