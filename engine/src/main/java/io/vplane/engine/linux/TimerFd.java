package io.vplane.engine.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * timerfd_create(2) on CLOCK_MONOTONIC, the clock of {@link System#nanoTime()} on Linux: a deadline
 * a worker sleeping in epoll wakes up for. One timer per instance, owned by one thread; setting it
 * allocates nothing.
 */
public final class TimerFd implements AutoCloseable
{
    private static final int CLOCK_MONOTONIC = 1;
    private static final int TFD_NONBLOCK = 0x800;
    private static final int TFD_CLOEXEC = 0x80000;
    private static final int TFD_TIMER_ABSTIME = 1;
    /** struct itimerspec { struct timespec it_interval, it_value; }: four 64-bit fields. */
    private static final int ITIMERSPEC_SIZE = 32;
    private static final long NS_PER_S = 1_000_000_000L;

    private static final MethodHandle CREATE = NativeCall.downcall("timerfd_create", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle SETTIME = NativeCall.downcall("timerfd_settime",
        FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));

    private final int fd;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment spec = arena.allocate(ITIMERSPEC_SIZE, 8);

    /** A non-blocking, close-on-exec timer, disarmed. */
    public TimerFd()
    {
        final int rc;
        try
        {
            rc = NativeCall.checked((int)CREATE.invokeExact(NativeCall.state(), CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC));
        }
        catch (final Throwable ex)
        {
            throw NativeCall.failedToCall("timerfd_create", ex);
        }
        if (rc < 0)
        {
            arena.close();
            throw new IllegalStateException("timerfd_create: " + Errno.describe(-rc));
        }
        fd = rc;
    }

    public int fd()
    {
        return fd;
    }

    /**
     * Fires once at {@code deadlineNs} on the {@link System#nanoTime()} clock (at once when it has
     * passed); 0 disarms.
     *
     * @return 0, or {@code -errno}
     */
    public int fireAt(final long deadlineNs)
    {
        // an absolute it_value of 0 would disarm: a deadline that is due now is 1 ns instead
        final long at = 0 == deadlineNs ? 0 : Math.max(1, deadlineNs);
        spec.set(JAVA_LONG, 0, 0);
        spec.set(JAVA_LONG, 8, 0);
        spec.set(JAVA_LONG, 16, at / NS_PER_S);
        spec.set(JAVA_LONG, 24, at % NS_PER_S);
        try
        {
            return NativeCall.checked((int)SETTIME.invokeExact(NativeCall.state(), fd, TFD_TIMER_ABSTIME, spec, MemorySegment.NULL));
        }
        catch (final Throwable ex)
        {
            throw NativeCall.failedToCall("timerfd_settime", ex);
        }
    }

    /** Takes the expiry count away, so the fd is no longer readable; returns it, or {@code -errno} (EAGAIN: none). */
    public long consume()
    {
        return EventFd.read(fd);
    }

    @Override
    public void close()
    {
        FileIo.close(fd);
        arena.close();
    }
}
