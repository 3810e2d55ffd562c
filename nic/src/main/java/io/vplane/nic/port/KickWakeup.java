package io.vplane.nic.port;

import io.vplane.engine.linux.Errno;
import io.vplane.engine.linux.FileIo;
import io.vplane.engine.wakeup.EpollSet;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

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

    private final EpollSet set = EpollSet.withBell(MAX_EVENTS);
    private final Arena arena = Arena.ofShared();
    private final MemorySegment counter = arena.allocate(EVENTFD_READ_BYTES, 8);
    private volatile int kickFd = -1;

    /** The fd that becomes readable on a kick or a bell. */
    int eventFd()
    {
        return set.fd();
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
            rc = set.add(fd);
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
            set.remove(fd);
        }
    }

    void ringBell()
    {
        set.ringBell();
    }

    /**
     * Worker, inside a visit: consumes every pending kick and bell, so the set stops being readable.
     *
     * @return false when the kick fd is not an eventfd that can be read (it was taken out of the set)
     */
    boolean consume()
    {
        final int ready = set.await(0);
        boolean ok = true;
        for (int i = 0; i < ready; i++)
        {
            final int fd = set.readyFd(i);
            if (!set.consumeIfBell(fd) && fd == kickFd)
            {
                final long rc = FileIo.read(fd, counter, EVENTFD_READ_BYTES);
                if (rc != EVENTFD_READ_BYTES && rc != -Errno.EAGAIN)
                {
                    // not an eventfd (EOF, hang-up, error): it would keep the set readable for ever
                    kickFd = -1;
                    set.remove(fd);
                    ok = false;
                }
            }
        }
        return ok;
    }

    @Override
    public void close()
    {
        set.close();
        arena.close();
    }
}
