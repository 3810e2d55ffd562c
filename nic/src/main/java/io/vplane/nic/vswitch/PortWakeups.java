package io.vplane.nic.vswitch;

import io.vplane.engine.device.QueueWakeup;
import io.vplane.engine.posix.Posix;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

/**
 * How the switch's worker sleeps until a port has frames: an epoll set holding the wakeup fd of
 * every attached port that has one (a vhost-user port: its transmit rings' kicks), and a bell the
 * control threads ring when a port attaches or leaves. Membership changes on the switch's thread
 * (when it takes a new port list), so arming and disarming always see the ports the switch polls.
 * A port without a wakeup (internal test ports) is polled at least once per sleep timeout of the
 * worker ({@code maxParkNs}).
 */
final class PortWakeups implements QueueWakeup, AutoCloseable
{
    private static final int MAX_EVENTS = 64;

    private final int epollFd;
    private final int bellFd;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment events = arena.allocate((long)MAX_EVENTS * Posix.EPOLL_EVENT_SIZE, 8);
    private PortSlot[] ports = new PortSlot[0];

    PortWakeups()
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

    /** Any thread: the switch should look at its ports again (one attached or left). */
    void ringBell()
    {
        Posix.eventfdSignal(bellFd);
    }

    /** Switch thread, with the port list it polls from now on. */
    void update(final PortSlot[] previous, final PortSlot[] next)
    {
        for (final PortSlot slot : previous)
        {
            if (!contains(next, slot))
            {
                forEach(slot.port.wakeups(), Posix.EPOLL_CTL_DEL);
            }
        }
        for (final PortSlot slot : next)
        {
            if (!contains(previous, slot))
            {
                forEach(slot.port.wakeups(), Posix.EPOLL_CTL_ADD);
            }
        }
        ports = next;
    }

    private void forEach(final List<QueueWakeup> wakeups, final int op)
    {
        if (null != wakeups)
        {
            for (int i = 0, n = wakeups.size(); i < n; i++)
            {
                Posix.epollCtl(epollFd, op, wakeups.get(i).eventFd());
            }
        }
    }

    private static boolean contains(final PortSlot[] slots, final PortSlot slot)
    {
        for (final PortSlot candidate : slots)
        {
            if (candidate == slot)
            {
                return true;
            }
        }
        return false;
    }

    @Override
    public int eventFd()
    {
        return epollFd;
    }

    @Override
    public boolean arm()
    {
        boolean quiet = true;
        for (final PortSlot slot : ports)
        {
            final List<QueueWakeup> wakeups = slot.port.wakeups();
            if (null != wakeups)
            {
                for (int i = 0, n = wakeups.size(); i < n; i++)
                {
                    quiet &= wakeups.get(i).arm();
                }
            }
        }
        return quiet;
    }

    @Override
    public void disarm()
    {
        for (final PortSlot slot : ports)
        {
            final List<QueueWakeup> wakeups = slot.port.wakeups();
            if (null != wakeups)
            {
                for (int i = 0, n = wakeups.size(); i < n; i++)
                {
                    wakeups.get(i).disarm();
                }
            }
        }
    }

    /** The switch's thread, after its worker's epoll reported this set: consumes the members that rang and the bell. */
    @Override
    public void consume()
    {
        final int ready = Posix.epollWait(epollFd, events, MAX_EVENTS, 0);
        for (int i = 0; i < ready; i++)
        {
            final int fd = (int)events.get(ValueLayout.JAVA_LONG_UNALIGNED, (long)i * Posix.EPOLL_EVENT_SIZE + Posix.EPOLL_EVENT_DATA_OFFSET);
            if (fd == bellFd)
            {
                Posix.eventfdRead(bellFd);
            }
            else
            {
                consumeMember(fd);
            }
        }
    }

    private void consumeMember(final int fd)
    {
        for (final PortSlot slot : ports)
        {
            final List<QueueWakeup> wakeups = slot.port.wakeups();
            if (null != wakeups)
            {
                for (int i = 0, n = wakeups.size(); i < n; i++)
                {
                    if (wakeups.get(i).eventFd() == fd)
                    {
                        wakeups.get(i).consume();
                        return;
                    }
                }
            }
        }
    }

    @Override
    public void close()
    {
        Posix.close(bellFd);
        Posix.close(epollFd);
        arena.close();
    }
}
