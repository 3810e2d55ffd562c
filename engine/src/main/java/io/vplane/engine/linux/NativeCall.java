package io.vplane.engine.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;
import java.util.List;
import java.util.Optional;

/**
 * What every binder in this package shares: the linker, the libc lookup and the one errno capture.
 * A handle from {@link #downcall} takes this thread's capture slot ({@link #state()}) as its first
 * argument; the slot and an 8-byte scratch value are allocated once per thread, never per call.
 */
final class NativeCall
{
    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout CAPTURED_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
        CAPTURED_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    private static final ThreadLocal<MemorySegment> STATE =
        ThreadLocal.withInitial(() -> Arena.global().allocate(CAPTURED_STATE));
    /** An eventfd counter, a pollfd, a pipe's two fds or a file offset; calls do not nest. */
    private static final ThreadLocal<MemorySegment> EIGHT_BYTES =
        ThreadLocal.withInitial(() -> Arena.global().allocate(8, 8));

    private static final MethodHandle CHECKED_INT = staticHandle("checked", int.class, int.class, MemorySegment.class);
    private static final MethodHandle CHECKED_LONG = staticHandle("checked", long.class, long.class, MemorySegment.class);
    private static final MethodHandle INTERRUPTED_INT = staticHandle("interrupted", boolean.class, int.class);
    private static final MethodHandle INTERRUPTED_LONG = staticHandle("interrupted", boolean.class, long.class);

    private NativeCall()
    {
    }

    /** A libc function whose errno is captured; fails class initialisation when libc lacks it. */
    static MethodHandle downcall(final String name, final FunctionDescriptor descriptor)
    {
        return optionalDowncall(name, descriptor)
            .orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
    }

    /** A libc function whose errno is captured, or empty when this libc lacks it. */
    @SuppressWarnings("restricted") // native access is enabled for the whole application in bin/jvm.options
    static Optional<MethodHandle> optionalDowncall(final String name, final FunctionDescriptor descriptor)
    {
        return LIBC.find(name).map(symbol -> LINKER.downcallHandle(symbol, descriptor, CAPTURE_ERRNO));
    }

    /** A variadic libc function such as syscall(2), whose arguments from {@code firstVariadic} on are variadic. */
    @SuppressWarnings("restricted")
    static MethodHandle variadicDowncall(final String name, final FunctionDescriptor descriptor, final int firstVariadic)
    {
        final MemorySegment symbol = LIBC.find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
        return LINKER.downcallHandle(symbol, descriptor, Linker.Option.firstVariadicArg(firstVariadic), CAPTURE_ERRNO);
    }

    /** A libc function that cannot fail, so has no errno to capture. */
    @SuppressWarnings("restricted")
    static MethodHandle infallibleDowncall(final String name, final FunctionDescriptor descriptor)
    {
        final MemorySegment symbol = LIBC.find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
        return LINKER.downcallHandle(symbol, descriptor);
    }

    /** This thread's errno capture slot, the first argument of every captured call. */
    static MemorySegment state()
    {
        return STATE.get();
    }

    static MemorySegment eightBytes()
    {
        return EIGHT_BYTES.get();
    }

    /**
     * The two fds pipe2(2) or socketpair(2) wrote into {@code pair}, copied to {@code fds} when the call worked.
     * @return {@code rc}
     */
    static int fdPair(final int rc, final MemorySegment pair, final int[] fds)
    {
        if (rc == 0)
        {
            fds[0] = pair.get(ValueLayout.JAVA_INT, 0);
            fds[1] = pair.get(ValueLayout.JAVA_INT, 4);
        }
        return rc;
    }

    /** The errno this thread's last failed call captured. */
    static int errno()
    {
        return errno(STATE.get());
    }

    static int errno(final MemorySegment state)
    {
        return (int)ERRNO.get(state, 0L);
    }

    /** @return {@code rc}, or {@code -errno} when the call failed */
    static int checked(final int rc)
    {
        return rc < 0 ? -errno() : rc;
    }

    /** @return {@code rc}, or {@code -errno} when the call failed */
    static long checked(final long rc)
    {
        return rc < 0 ? -errno() : rc;
    }

    /**
     * {@code call}, a {@link #downcall} handle returning int or long, made into one that retries the
     * call while it fails with EINTR and returns its result or {@code -errno}. Kept in a static final
     * field, the loop is inlined like one written out: no boxing, no allocation per call.
     */
    static MethodHandle retryingEintr(final MethodHandle call)
    {
        final MethodType type = call.type();
        final Class<?> result = type.returnType();
        final List<Class<?>> parameters = type.parameterList();
        final boolean isLong = long.class == result;
        // (state, args...) -> checked(call(state, args...), state)
        final MethodHandle checkedCall = MethodHandles.foldArguments(
            MethodHandles.dropArguments(isLong ? CHECKED_LONG : CHECKED_INT, 2, parameters.subList(1, parameters.size())), call);
        return MethodHandles.doWhileLoop(
            MethodHandles.dropArguments(MethodHandles.zero(result), 0, parameters),
            MethodHandles.dropArguments(checkedCall, 0, result),
            MethodHandles.dropArguments(isLong ? INTERRUPTED_LONG : INTERRUPTED_INT, 1, parameters));
    }

    private static int checked(final int rc, final MemorySegment state)
    {
        return rc < 0 ? -errno(state) : rc;
    }

    private static long checked(final long rc, final MemorySegment state)
    {
        return rc < 0 ? -errno(state) : rc;
    }

    private static boolean interrupted(final int rc)
    {
        return -Errno.EINTR == rc;
    }

    private static boolean interrupted(final long rc)
    {
        return -Errno.EINTR == rc;
    }

    private static MethodHandle staticHandle(final String name, final Class<?> result, final Class<?>... parameters)
    {
        try
        {
            return MethodHandles.lookup().findStatic(NativeCall.class, name, MethodType.methodType(result, parameters));
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    /** A downcall that threw: a wrong descriptor or a JVM fault, never a failed system call. */
    static IllegalStateException failedToCall(final String name, final Throwable cause)
    {
        return new IllegalStateException(name + " failed to call", cause);
    }
}
