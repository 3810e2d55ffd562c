package io.vplane.engine.wakeup;

import io.vplane.engine.linux.EpollEvent;
import io.vplane.engine.linux.EpollFd;
import io.vplane.engine.linux.Errno;
import io.vplane.engine.linux.EventFd;
import io.vplane.engine.linux.FileIo;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * An epoll set of fds with its preallocated event array, and optionally a bell: an eventfd of its
 * own that any thread rings to make the set readable (a ring was handed over, a port attached).
 * Waiting and reading the ready fds belong to one thread; members may be added and removed by
 * another, as epoll allows.
 */
public final class EpollSet implements AutoCloseable
{
    private final int epollFd;
    private final int bellFd;
    private final int maxEvents;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment events;

    private EpollSet(final int maxEvents, final boolean bell)
    {
        this.maxEvents = maxEvents;
        events = arena.allocate((long)maxEvents * EpollEvent.SIZE, 8);
        epollFd = EpollFd.create();
        if (epollFd < 0)
        {
            arena.close();
            throw new IllegalStateException("epoll_create1: " + Errno.describe(-epollFd));
        }
        bellFd = bell ? EventFd.create(0, EventFd.EFD_NONBLOCK | EventFd.EFD_CLOEXEC) : -1;
        if (bell && bellFd < 0)
        {
            FileIo.close(epollFd);
            arena.close();
            throw new IllegalStateException("eventfd: " + Errno.describe(-bellFd));
        }
        if (bell)
        {
            EpollFd.ctl(epollFd, EpollFd.EPOLL_CTL_ADD, bellFd);
        }
    }

    /** A set without a bell. */
    public static EpollSet plain(final int maxEvents)
    {
        return new EpollSet(maxEvents, false);
    }

    /** A set holding a bell from the start. */
    public static EpollSet withBell(final int maxEvents)
    {
        return new EpollSet(maxEvents, true);
    }

    /** The epoll fd: readable while a member is. */
    public int fd()
    {
        return epollFd;
    }

    /** @return 0, or a negative errno (e.g. an fd epoll cannot wait on) */
    public int add(final int fd)
    {
        return EpollFd.ctl(epollFd, EpollFd.EPOLL_CTL_ADD, fd);
    }

    /** @return 0, or a negative errno; {@code events} of {@link EpollFd} (EPOLLIN, EPOLLOUT) */
    public int add(final int fd, final int events)
    {
        return EpollFd.ctl(epollFd, EpollFd.EPOLL_CTL_ADD, fd, events);
    }

    /** Changes what a member is waited for; 0 keeps it in the set without waking for it. */
    public int modify(final int fd, final int events)
    {
        return EpollFd.ctl(epollFd, EpollFd.EPOLL_CTL_MOD, fd, events);
    }

    public int remove(final int fd)
    {
        return EpollFd.ctl(epollFd, EpollFd.EPOLL_CTL_DEL, fd);
    }

    /** Any thread: makes the set readable until {@link #consumeIfBell} takes the ring. */
    public void ringBell()
    {
        EventFd.signal(bellFd);
    }

    /** @return how many fds are ready, to be read with {@link #readyFd}; 0 on timeout */
    public int await(final int timeoutMs)
    {
        return EpollFd.waitReady(epollFd, events, maxEvents, timeoutMs);
    }

    /** The i-th fd the last {@link #await} reported. */
    public int readyFd(final int i)
    {
        return (int)events.get(ValueLayout.JAVA_LONG_UNALIGNED, (long)i * EpollEvent.SIZE + EpollEvent.DATA_OFFSET);
    }

    /** @return true when {@code fd} is the bell, which is then read (its rings taken) */
    public boolean consumeIfBell(final int fd)
    {
        if (fd != bellFd || bellFd < 0)
        {
            return false;
        }
        EventFd.read(bellFd);
        return true;
    }

    @Override
    public void close()
    {
        if (bellFd >= 0)
        {
            FileIo.close(bellFd);
        }
        FileIo.close(epollFd);
        arena.close();
    }
}
