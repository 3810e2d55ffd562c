package io.vplane.engine.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * epoll(7): one wait for readiness on many descriptors, each registered readable with its own fd
 * as its data. The events array the caller passes holds {@link EpollEvent} entries.
 */
public final class EpollFd
{
    public static final int EPOLLIN = 0x1;
    public static final int EPOLLOUT = 0x4;
    public static final int EPOLL_CTL_ADD = 1;
    public static final int EPOLL_CTL_DEL = 2;
    public static final int EPOLL_CTL_MOD = 3;
    public static final int EPOLL_CLOEXEC = 0x80000;

    private static final MethodHandle EPOLL_CREATE1 = NativeCall.downcall("epoll_create1", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle EPOLL_CTL =
        NativeCall.downcall("epoll_ctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle EPOLL_WAIT =
        NativeCall.downcall("epoll_wait", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));

    private EpollFd()
    {
    }

    /** @return the epoll fd, closed on exec, or {@code -errno} */
    public static int create()
    {
        try
        {
            return NativeCall.checked((int)EPOLL_CREATE1.invokeExact(NativeCall.state(), EPOLL_CLOEXEC));
        }
        catch (final Throwable ex)
        {
            throw NativeCall.failedToCall("epoll_create1", ex);
        }
    }

    /** Adds ({@link #EPOLL_CTL_ADD}) or removes ({@link #EPOLL_CTL_DEL}) {@code fd}, readable, with {@code fd} as its data. */
    public static int ctl(final int epfd, final int op, final int fd)
    {
        return ctl(epfd, op, fd, EPOLLIN);
    }

    /** Adds, modifies ({@link #EPOLL_CTL_MOD}) or removes {@code fd} waiting for {@code events}, with {@code fd} as its data. */
    public static int ctl(final int epfd, final int op, final int fd, final int events)
    {
        try (Arena arena = Arena.ofConfined())
        {
            return ctl(epfd, op, fd, events, arena.allocate(EpollEvent.SIZE, 8));
        }
    }

    /**
     * The same with the caller's {@link EpollEvent} scratch, for a thread that changes its set on the
     * data path (nothing is allocated).
     */
    public static int ctl(final int epfd, final int op, final int fd, final int events, final MemorySegment event)
    {
        event.set(JAVA_INT, EpollEvent.EVENTS_OFFSET, events);
        event.set(ValueLayout.JAVA_LONG_UNALIGNED, EpollEvent.DATA_OFFSET, fd);
        try
        {
            return NativeCall.checked((int)EPOLL_CTL.invokeExact(NativeCall.state(), epfd, op, fd, event));
        }
        catch (final Throwable ex)
        {
            throw NativeCall.failedToCall("epoll_ctl", ex);
        }
    }

    /**
     * Waits for readiness; {@code events} holds {@code maxEvents} {@link EpollEvent} entries.
     *
     * @return how many entries were filled, or {@code -errno} (EINTR when a signal came)
     */
    public static int waitReady(final int epfd, final MemorySegment events, final int maxEvents, final int timeoutMs)
    {
        try
        {
            return NativeCall.checked((int)EPOLL_WAIT.invokeExact(NativeCall.state(), epfd, events, maxEvents, timeoutMs));
        }
        catch (final Throwable ex)
        {
            throw NativeCall.failedToCall("epoll_wait", ex);
        }
    }
}
