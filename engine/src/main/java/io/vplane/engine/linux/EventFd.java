package io.vplane.engine.linux;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * eventfd(2): the 64-bit counters that carry virtqueue kicks and calls and wake idle workers.
 * Signal and read use this thread's 8-byte scratch value, so they allocate nothing.
 */
public final class EventFd
{
    public static final int EFD_NONBLOCK = 0x800;
    public static final int EFD_CLOEXEC = 0x80000;

    private static final MethodHandle EVENTFD = NativeCall.downcall("eventfd", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));

    private EventFd()
    {
    }

    /** @return the eventfd, or {@code -errno} */
    public static int create(final int initial, final int flags)
    {
        try
        {
            return NativeCall.checked((int)EVENTFD.invokeExact(NativeCall.state(), initial, flags));
        }
        catch (final Throwable ex)
        {
            throw NativeCall.failedToCall("eventfd", ex);
        }
    }

    /** Adds 1 to an eventfd's counter: a virtqueue call (used buffers) or kick. */
    public static long signal(final int fd)
    {
        final MemorySegment one = NativeCall.eightBytes();
        one.set(JAVA_LONG, 0, 1L);
        return FileIo.write(fd, one, 8);
    }

    /** Reads and resets an eventfd's counter; returns it, or {@code -errno} (EAGAIN when zero and non-blocking). */
    public static long read(final int fd)
    {
        final MemorySegment value = NativeCall.eightBytes();
        final long rc = FileIo.read(fd, value, 8);
        return rc < 0 ? rc : value.get(JAVA_LONG, 0);
    }
}
