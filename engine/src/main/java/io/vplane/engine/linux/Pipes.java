package io.vplane.engine.linux;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Pipes and splice(2), which moves socket data into a file through a pipe without copying it
 * through user memory. {@link #pipe} and {@link #splice} use this thread's scratch value, so they
 * allocate nothing.
 */
public final class Pipes
{
    public static final int SPLICE_F_MOVE = 0x1;
    public static final int SPLICE_F_NONBLOCK = 0x2;

    private static final int F_SETPIPE_SZ = 1031;
    private static final int F_GETPIPE_SZ = 1032;

    private static final MethodHandle PIPE2 = NativeCall.downcall("pipe2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle SPLICE = NativeCall.downcall("splice",
        FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));

    private Pipes()
    {
    }

    /**
     * Creates a pipe; {@code fds} receives its read end, then its write end.
     *
     * @param flags O_NONBLOCK, O_CLOEXEC ({@link FileIo})
     */
    public static int pipe(final int[] fds, final int flags)
    {
        try
        {
            final MemorySegment pair = NativeCall.eightBytes();
            return NativeCall.fdPair(NativeCall.checked((int)PIPE2.invokeExact(NativeCall.state(), pair, flags)), pair, fds);
        }
        catch (final Throwable ex)
        {
            throw NativeCall.failedToCall("pipe2", ex);
        }
    }

    /** Resizes a pipe's buffer (F_SETPIPE_SZ). @return its capacity in bytes now, or {@code -errno} */
    public static int setSize(final int fd, final int bytes)
    {
        return FileIo.fcntl(fd, F_SETPIPE_SZ, bytes);
    }

    /** A pipe's buffer size (F_GETPIPE_SZ). @return bytes, or {@code -errno} */
    public static int size(final int fd)
    {
        return FileIo.fcntl(fd, F_GETPIPE_SZ, 0);
    }

    /**
     * Moves up to {@code length} bytes from {@code in} to {@code out}, one of them a pipe, without
     * copying them through user memory.
     *
     * @param outOffset where to write in {@code out} (a file; it is not moved), or -1 for a pipe
     *                  or socket
     * @return bytes moved, 0 at end of input, or {@code -errno}
     */
    public static long splice(final int in, final int out, final long outOffset, final long length, final int flags)
    {
        try
        {
            MemorySegment offset = MemorySegment.NULL;
            if (outOffset >= 0)
            {
                offset = NativeCall.eightBytes();
                offset.set(JAVA_LONG, 0, outOffset);
            }
            return NativeCall.checked((long)SPLICE.invokeExact(NativeCall.state(), in, MemorySegment.NULL, out, offset, length, flags));
        }
        catch (final Throwable ex)
        {
            throw NativeCall.failedToCall("splice", ex);
        }
    }

    /** Whether splice moves a Unix socket's data into a pipe, the first step of a spliced write. */
    public static KernelCapability spliceFromSocket()
    {
        return SpliceProbe.CAPABILITY;
    }

    /** Probed on first use with one byte through a socket pair and a pipe. */
    private static final class SpliceProbe
    {
        static final KernelCapability CAPABILITY = probe();

        private static KernelCapability probe()
        {
            final String name = "splice from a socket";
            final int[] sockets = new int[2];
            final int[] pipe = {-1, -1};
            int rc = Sockets.socketPair(sockets);
            if (rc < 0)
            {
                return KernelCapability.missing(name, "socketpair failed: " + Errno.describe(-rc));
            }
            try
            {
                rc = pipe(pipe, FileIo.O_NONBLOCK | FileIo.O_CLOEXEC);
                if (rc < 0)
                {
                    return KernelCapability.missing(name, "pipe2 failed: " + Errno.describe(-rc));
                }
                final MemorySegment oneByte = NativeCall.eightBytes();
                oneByte.set(JAVA_BYTE, 0, (byte)1);
                FileIo.write(sockets[0], oneByte, 1);
                final long moved = splice(sockets[1], pipe[1], -1, 1, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
                return moved == 1
                    ? KernelCapability.available(name)
                    : KernelCapability.missing(name, "splice into a pipe failed: " + Errno.describe((int)-moved));
            }
            finally
            {
                FileIo.close(pipe[0]);
                FileIo.close(pipe[1]);
                FileIo.close(sockets[0]);
                FileIo.close(sockets[1]);
            }
        }
    }
}
