package io.vplane.engine.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
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

    /** A downcall that threw: a wrong descriptor or a JVM fault, never a failed system call. */
    static IllegalStateException failedToCall(final String name, final Throwable cause)
    {
        return new IllegalStateException(name + " failed to call", cause);
    }
}
