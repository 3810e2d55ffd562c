package io.vplane.nic.vswitch;

import io.vplane.engine.device.QueueWakeup;
import io.vplane.engine.wakeup.EpollSet;

import java.util.List;
import java.util.function.IntConsumer;

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

    private final EpollSet set = EpollSet.withBell(MAX_EVENTS);
    private PortSlot[] ports = new PortSlot[0];

    /** Any thread: the switch should look at its ports again (one attached or left). */
    void ringBell()
    {
        set.ringBell();
    }

    /** Switch thread, with the port list it polls from now on. */
    void update(final PortSlot[] previous, final PortSlot[] next)
    {
        for (final PortSlot slot : previous)
        {
            if (!contains(next, slot))
            {
                forEachFd(slot.port.wakeups(), set::remove);
            }
        }
        for (final PortSlot slot : next)
        {
            if (!contains(previous, slot))
            {
                forEachFd(slot.port.wakeups(), set::add);
            }
        }
        ports = next;
    }

    private static void forEachFd(final List<QueueWakeup> wakeups, final IntConsumer action)
    {
        for (int i = 0, n = wakeups.size(); i < n; i++)
        {
            action.accept(wakeups.get(i).eventFd());
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
        return set.fd();
    }

    @Override
    public boolean arm()
    {
        boolean quiet = true;
        for (final PortSlot slot : ports)
        {
            final List<QueueWakeup> wakeups = slot.port.wakeups();
            for (int i = 0, n = wakeups.size(); i < n; i++)
            {
                quiet &= wakeups.get(i).arm();
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
            for (int i = 0, n = wakeups.size(); i < n; i++)
            {
                wakeups.get(i).disarm();
            }
        }
    }

    /** The switch's thread, after its worker's epoll reported this set: consumes the members that rang and the bell. */
    @Override
    public void consume()
    {
        final int ready = set.await(0);
        for (int i = 0; i < ready; i++)
        {
            final int fd = set.readyFd(i);
            if (!set.consumeIfBell(fd))
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

    @Override
    public void close()
    {
        set.close();
    }
}
