package io.vplane.virtio.vhostuser;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Send and receive timeouts on a socket (SO_SNDTIMEO, SO_RCVTIMEO; socket(7)): a blocking call
 * that waits longer fails with EAGAIN. The vhost-user control thread uses them so that a frontend
 * that stops reading replies, or stops in the middle of a message, cannot hold it forever.
 */
final class SocketTimeouts
{
    private static final int SOL_SOCKET = 1;
    private static final int SO_RCVTIMEO = 20;
    private static final int SO_SNDTIMEO = 21;
    /** struct timeval (64-bit): long tv_sec, long tv_usec. */
    private static final int TIMEVAL_SIZE = 16;
    private static final MethodHandle SETSOCKOPT = Linker.nativeLinker().downcallHandle(
        Linker.nativeLinker().defaultLookup().findOrThrow("setsockopt"),
        FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));

    private SocketTimeouts()
    {
    }

    /** @return false when the fd refused either option (not a socket) */
    static boolean apply(final int fd, final long timeoutMs)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment timeval = arena.allocate(TIMEVAL_SIZE, 8);
            timeval.set(JAVA_LONG, 0, timeoutMs / 1_000);
            timeval.set(JAVA_LONG, 8, (timeoutMs % 1_000) * 1_000);
            final int send = (int)SETSOCKOPT.invokeExact(fd, SOL_SOCKET, SO_SNDTIMEO, timeval, TIMEVAL_SIZE);
            final int receive = (int)SETSOCKOPT.invokeExact(fd, SOL_SOCKET, SO_RCVTIMEO, timeval, TIMEVAL_SIZE);
            return send == 0 && receive == 0;
        }
        catch (final Throwable ex)
        {
            throw new IllegalStateException(ex);
        }
    }
}
