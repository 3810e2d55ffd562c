package io.vplane.engine.linux;

import java.lang.foreign.FunctionDescriptor;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * readv(2) and writev(2) over an iovec array given as a raw native address, so a caller that keeps
 * its iovecs in preallocated native memory (guest buffers, pooled buffers) makes no segment per call.
 * EINTR is retried; EAGAIN on a non-blocking descriptor comes back as {@code -EAGAIN}.
 */
public final class VectorIo
{
    private static final MethodHandle READV = NativeCall.retryingEintr(
        NativeCall.downcall("readv", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT)));
    private static final MethodHandle WRITEV = NativeCall.retryingEintr(
        NativeCall.downcall("writev", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT)));

    private VectorIo()
    {
    }

    /**
     * @param iovecs address of {@code count} {@link Iovec} entries
     * @return bytes read (a packet descriptor such as a TAP returns one whole packet), or {@code -errno}
     */
    public static long readv(final int fd, final long iovecs, final int count)
    {
        try
        {
            return (long)READV.invokeExact(NativeCall.state(), fd, iovecs, count);
        }
        catch (final Throwable ex)
        {
            throw NativeCall.failedToCall("readv", ex);
        }
    }

    /**
     * @param iovecs address of {@code count} {@link Iovec} entries
     * @return bytes written, or {@code -errno}
     */
    public static long writev(final int fd, final long iovecs, final int count)
    {
        try
        {
            return (long)WRITEV.invokeExact(NativeCall.state(), fd, iovecs, count);
        }
        catch (final Throwable ex)
        {
            throw NativeCall.failedToCall("writev", ex);
        }
    }
}
