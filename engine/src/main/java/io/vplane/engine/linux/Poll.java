package io.vplane.engine.linux;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/** poll(2) on one descriptor: a bounded wait for a socket or eventfd without an epoll set. */
public final class Poll
{
    public static final int POLLIN = 0x1;

    private static final MethodHandle POLL = NativeCall.downcall("poll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));

    private Poll()
    {
    }

    /**
     * Waits until {@code fd} is readable (or hung up).
     *
     * @return positive when ready, 0 on timeout, or {@code -errno}
     */
    public static int awaitReadable(final int fd, final int timeoutMs)
    {
        try
        {
            final MemorySegment pollfd = NativeCall.eightBytes();
            pollfd.set(JAVA_INT, PollFd.FD_OFFSET, fd);
            pollfd.set(JAVA_SHORT, PollFd.EVENTS_OFFSET, (short)POLLIN);
            pollfd.set(JAVA_SHORT, PollFd.REVENTS_OFFSET, (short)0);
            return NativeCall.checked((int)POLL.invokeExact(NativeCall.state(), pollfd, 1L, timeoutMs));
        }
        catch (final Throwable ex)
        {
            throw NativeCall.failedToCall("poll", ex);
        }
    }
}
