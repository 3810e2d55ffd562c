package io.vplane.blockstore.rbd;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The librados and librbd calls the RBD backend makes (rados/librados.h, rbd/librbd.h of Ceph
 * Pacific, librbd 1.16), bound through the FFM API. The libraries are looked up only when the first
 * {@code rbd://} disk opens ({@link #load()}), so a daemon without them installed starts and serves
 * every other disk. Every call returns 0 or a count on success and {@code -errno} on failure, so
 * nothing here captures errno. Handles ({@code rados_t}, {@code rados_ioctx_t}, {@code rbd_image_t},
 * {@code rbd_completion_t}) are opaque pointers.
 */
final class Librbd
{
    static final String RADOS_LIBRARY = "librados.so.2";
    static final String RBD_LIBRARY = "librbd.so.1";

    /**
     * rbd_callback_t: void (*)(rbd_completion_t cb, void *arg). The per-request pointers (completion
     * handles, the callback's argument, data buffers) pass as 64-bit integers, the same registers on
     * x86-64 and aarch64, so no MemorySegment is made for them per request.
     */
    static final FunctionDescriptor COMPLETION_CALLBACK = FunctionDescriptor.ofVoid(JAVA_LONG, JAVA_LONG);
    /** The diff_iterate callback: int (*)(uint64_t offset, size_t length, int exists, void *arg). */
    static final FunctionDescriptor EXTENT_CALLBACK = FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT, ADDRESS);

    private static volatile Librbd loaded;

    final MethodHandle radosCreate2;
    final MethodHandle radosConfReadFile;
    final MethodHandle radosConfSet;
    final MethodHandle radosConnect;
    final MethodHandle radosShutdown;
    final MethodHandle radosGetaddrs;
    final MethodHandle radosBufferFree;
    final MethodHandle radosIoctxCreate;
    final MethodHandle radosIoctxDestroy;
    final MethodHandle radosIoctxSetNamespace;
    final MethodHandle rbdOpen;
    final MethodHandle rbdOpenReadOnly;
    final MethodHandle rbdClose;
    final MethodHandle rbdGetSize;
    final MethodHandle rbdGetFeatures;
    final MethodHandle rbdGetFlags;
    final MethodHandle rbdResize;
    final MethodHandle rbdVersion;
    final MethodHandle rbdRead;
    final MethodHandle rbdWrite;
    final MethodHandle rbdFlush;
    final MethodHandle rbdDiscard;
    final MethodHandle rbdWriteZeroes;
    final MethodHandle rbdDiffIterate2;
    final MethodHandle aioCreateCompletion;
    final MethodHandle aioGetReturnValue;
    final MethodHandle aioRelease;
    final MethodHandle aioRead;
    final MethodHandle aioWrite;
    final MethodHandle aioWritev;
    final MethodHandle aioFlush;
    final MethodHandle aioDiscard;
    final MethodHandle aioWriteZeroes;
    final String version;

    private Librbd(final SymbolLookup rados, final SymbolLookup rbd)
    {
        radosCreate2 = bind(rados, "rados_create2", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG));
        radosConfReadFile = bind(rados, "rados_conf_read_file", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        radosConfSet = bind(rados, "rados_conf_set", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
        radosConnect = bind(rados, "rados_connect", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        radosShutdown = bind(rados, "rados_shutdown", FunctionDescriptor.ofVoid(ADDRESS));
        radosGetaddrs = bind(rados, "rados_getaddrs", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        radosBufferFree = bind(rados, "rados_buffer_free", FunctionDescriptor.ofVoid(ADDRESS));
        radosIoctxCreate = bind(rados, "rados_ioctx_create", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
        radosIoctxDestroy = bind(rados, "rados_ioctx_destroy", FunctionDescriptor.ofVoid(ADDRESS));
        radosIoctxSetNamespace = bind(rados, "rados_ioctx_set_namespace", FunctionDescriptor.ofVoid(ADDRESS, ADDRESS));
        rbdOpen = bind(rbd, "rbd_open", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
        rbdOpenReadOnly = bind(rbd, "rbd_open_read_only", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
        rbdClose = bind(rbd, "rbd_close", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        rbdGetSize = bind(rbd, "rbd_get_size", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        rbdGetFeatures = bind(rbd, "rbd_get_features", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        rbdGetFlags = bind(rbd, "rbd_get_flags", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        rbdResize = bind(rbd, "rbd_resize", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
        rbdVersion = bind(rbd, "rbd_version", FunctionDescriptor.ofVoid(ADDRESS, ADDRESS, ADDRESS));
        rbdRead = bind(rbd, "rbd_read", FunctionDescriptor.of(JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS));
        rbdWrite = bind(rbd, "rbd_write", FunctionDescriptor.of(JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS));
        rbdFlush = bind(rbd, "rbd_flush", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        rbdDiscard = bind(rbd, "rbd_discard", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG));
        rbdWriteZeroes = bind(rbd, "rbd_write_zeroes",
            FunctionDescriptor.of(JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT));
        rbdDiffIterate2 = bind(rbd, "rbd_diff_iterate2",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_BYTE, JAVA_BYTE, ADDRESS, ADDRESS));
        // Per request: completion handles, the callback's argument and data buffers as JAVA_LONG (see COMPLETION_CALLBACK).
        aioCreateCompletion = bind(rbd, "rbd_aio_create_completion", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, ADDRESS, ADDRESS));
        aioGetReturnValue = bind(rbd, "rbd_aio_get_return_value", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG));
        aioRelease = bind(rbd, "rbd_aio_release", FunctionDescriptor.ofVoid(JAVA_LONG));
        aioRead = bind(rbd, "rbd_aio_read", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG));
        aioWrite = bind(rbd, "rbd_aio_write", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG));
        aioWritev = bind(rbd, "rbd_aio_writev", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, JAVA_LONG, JAVA_LONG));
        aioFlush = bind(rbd, "rbd_aio_flush", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
        aioDiscard = bind(rbd, "rbd_aio_discard", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_LONG));
        aioWriteZeroes = bind(rbd, "rbd_aio_write_zeroes",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT));
        version = readVersion();
    }

    /** The libraries, looked up on first use. @throws IOException naming the missing library and its package */
    static Librbd load() throws IOException
    {
        Librbd lib = loaded;
        if (null == lib)
        {
            synchronized (Librbd.class)
            {
                lib = loaded;
                if (null == lib)
                {
                    lib = load(RADOS_LIBRARY, RBD_LIBRARY);
                    loaded = lib;
                }
            }
        }
        return lib;
    }

    /** Looks the two libraries up by these names (a test names one that does not exist). */
    static Librbd load(final String radosLibrary, final String rbdLibrary) throws IOException
    {
        return new Librbd(library(radosLibrary), library(rbdLibrary));
    }

    @SuppressWarnings("restricted") // native access is enabled for the whole application in bin/jvm.options
    private static SymbolLookup library(final String name) throws IOException
    {
        try
        {
            return SymbolLookup.libraryLookup(name, Arena.global());
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IOException("cannot load " + name + " for rbd:// disks: install Ceph's client libraries " +
                "(Debian: apt-get install librbd1)", ex);
        }
    }

    @SuppressWarnings("restricted")
    private static MethodHandle bind(final SymbolLookup library, final String name, final FunctionDescriptor descriptor)
    {
        final MemorySegment symbol = library.find(name)
            .orElseThrow(() -> new UnsatisfiedLinkError("the Ceph client library has no " + name + " (librbd 1.16 or later needed)"));
        return Linker.nativeLinker().downcallHandle(symbol, descriptor);
    }

    /** An upcall stub for librbd to call back, alive as long as {@code arena}. */
    @SuppressWarnings("restricted")
    static MemorySegment upcall(final MethodHandle target, final FunctionDescriptor descriptor, final Arena arena)
    {
        return Linker.nativeLinker().upcallStub(target, descriptor, arena);
    }

    private String readVersion()
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment numbers = arena.allocate(JAVA_INT, 3);
            rbdVersion.invokeExact(numbers, numbers.asSlice(4), numbers.asSlice(8));
            return numbers.getAtIndex(JAVA_INT, 0) + "." + numbers.getAtIndex(JAVA_INT, 1) + "." + numbers.getAtIndex(JAVA_INT, 2);
        }
        catch (final Throwable ex)
        {
            throw failed("rbd_version", ex);
        }
    }

    /** A downcall that threw: a wrong descriptor or a JVM fault, never a failed librbd call. */
    static IllegalStateException failed(final String name, final Throwable cause)
    {
        return new IllegalStateException(name + " failed to call", cause);
    }
}
