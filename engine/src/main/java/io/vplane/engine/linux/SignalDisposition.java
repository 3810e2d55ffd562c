package io.vplane.engine.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * A signal's disposition (sigaction(2)). The JVM keeps a shutdown signal ignored when the process
 * started with it ignored (nohup ignores SIGHUP), and then a Java handler for it never runs: a
 * daemon that reloads on SIGHUP takes the signal back before it installs its handler.
 */
public final class SignalDisposition
{
    public static final int SIGHUP = 1;
    private static final long SIG_DFL = 0;
    private static final long SIG_IGN = 1;
    /** glibc's struct sigaction on 64-bit Linux: the handler first, then the mask (128 bytes), flags and restorer. */
    private static final int SIGACTION_SIZE = 152;

    private static final MethodHandle SIGACTION = NativeCall.downcall("sigaction",
        FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));

    private SignalDisposition()
    {
    }

    /** Whether {@code signal} is ignored now. */
    public static boolean ignored(final int signal)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment current = arena.allocate(SIGACTION_SIZE, 8);
            call(signal, MemorySegment.NULL, current);
            return SIG_IGN == current.get(JAVA_LONG, 0);
        }
    }

    /** Gives {@code signal} its default action again (the JVM may then install its own handler for it). */
    public static void restoreDefault(final int signal)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment action = arena.allocate(SIGACTION_SIZE, 8);
            action.set(JAVA_LONG, 0, SIG_DFL);
            call(signal, action, MemorySegment.NULL);
        }
    }

    private static void call(final int signal, final MemorySegment action, final MemorySegment old)
    {
        final int rc;
        try
        {
            rc = NativeCall.checked((int)SIGACTION.invokeExact(NativeCall.state(), signal, action, old));
        }
        catch (final Throwable ex)
        {
            throw NativeCall.failedToCall("sigaction", ex);
        }
        if (rc < 0)
        {
            throw new IllegalStateException("sigaction(" + signal + "): " + Errno.describe(-rc));
        }
    }
}
