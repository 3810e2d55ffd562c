package io.vplane.blockstore.backend;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The few Linux file calls the JDK lacks: fallocate (punch hole, zero range), lseek with
 * SEEK_DATA / SEEK_HOLE, the gathering pwritev, madvise (to fault in a mapped image's pages), and
 * pread / pwrite on raw native addresses (the
 * memory of pooled direct buffers, so no ByteBuffer view is made per request), on a descriptor of
 * its own opened with open(2), with errno captured.
 * Each call takes a small per-thread errno slot so that several blk workers may call at once.
 */
final class LinuxFiles
{
    static final int O_RDONLY = 0;
    static final int O_RDWR = 2;
    static final int O_CLOEXEC = 0x80000;
    /** open(2): fail with ELOOP rather than follow a symbolic link in the last component. */
    static final int O_NOFOLLOW = 0x20000;
    static final int O_CREAT = 0x40;
    static final int O_EXCL = 0x80;

    static final int SEEK_DATA = 3;
    static final int SEEK_HOLE = 4;

    /** fallocate(2) modes, linux/falloc.h. */
    static final int FALLOC_FL_KEEP_SIZE = 0x01;
    static final int FALLOC_FL_PUNCH_HOLE = 0x02;
    static final int FALLOC_FL_ZERO_RANGE = 0x10;

    /** madvise(2): fault the range's pages in and map them, as reading each page would (Linux 5.14). */
    static final int MADV_POPULATE_READ = 22;
    static final long PAGE_BYTES = 4096;

    static final int EINTR = 4;
    static final int ENXIO = 6;
    static final int EINVAL = 22;
    static final int EOPNOTSUPP = 95;
    static final int EFAULT = 14;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(StructLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    private static final MethodHandle OPEN = handle("open",
        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle CLOSE = handle("close",
        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle FTRUNCATE = handle("ftruncate",
        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));
    private static final MethodHandle FALLOCATE = handle("fallocate",
        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG,
            ValueLayout.JAVA_LONG));
    private static final MethodHandle LSEEK = handle("lseek",
        FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
    /** The buffer is passed as a plain 64-bit address: no MemorySegment per call. */
    private static final MethodHandle PREAD = handle("pread",
        FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG,
            ValueLayout.JAVA_LONG));
    private static final MethodHandle PWRITE = handle("pwrite",
        FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG,
            ValueLayout.JAVA_LONG));
    private static final MethodHandle PWRITEV = handle("pwritev",
        FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT,
            ValueLayout.JAVA_LONG));
    private static final MethodHandle MINCORE = handle("mincore",
        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG));
    private static final MethodHandle MADVISE = handle("madvise",
        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));

    /** Most iovecs one pwritev takes (IOV_MAX, limits.h). */
    static final int IOV_MAX = 1024;
    /** struct iovec: void *iov_base (8), size_t iov_len (8). */
    static final long IOVEC_SIZE = 16;

    /** errno slot per calling thread; the blk workers are few and long-lived. */
    private static final ThreadLocal<MemorySegment> ERRNO_SLOT =
        ThreadLocal.withInitial(() -> Arena.global().allocate(CAPTURE));
    /** Longest range {@link #resident} checks: the largest NBD request. */
    static final long MAX_RESIDENT_CHECK_BYTES = 32L << 20;
    /** mincore's vector per calling thread, a byte per page of the longest range. */
    private static final ThreadLocal<MemorySegment> PAGE_VECTOR =
        ThreadLocal.withInitial(() -> Arena.global().allocate(MAX_RESIDENT_CHECK_BYTES / PAGE_BYTES + 2, 8));
    /** iovec array per calling thread, for {@link #pwritev}. */
    private static final ThreadLocal<MemorySegment> IOVECS =
        ThreadLocal.withInitial(() -> Arena.global().allocate(IOVEC_SIZE * IOV_MAX, 8));

    private LinuxFiles()
    {
    }

    /** @return the descriptor, or {@code -errno} */
    static int open(final String path, final int flags)
    {
        return open(path, flags, 0);
    }

    /** @param mode permission bits of a file that {@code O_CREAT} creates */
    static int open(final String path, final int flags, final int mode)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment errno = ERRNO_SLOT.get();
            final int fd = (int)OPEN.invokeExact(errno, arena.allocateFrom(path), flags | O_CLOEXEC, mode);
            return fd >= 0 ? fd : -errno(errno);
        }
        catch (final Throwable ex)
        {
            throw new IllegalStateException("open(" + path + ") failed to call", ex);
        }
    }

    static void close(final int fd)
    {
        try
        {
            final int ignored = (int)CLOSE.invokeExact(ERRNO_SLOT.get(), fd);
        }
        catch (final Throwable ex)
        {
            throw new IllegalStateException("close failed to call", ex);
        }
    }

    /** @return 0, or {@code -errno} */
    /** ftruncate(2): growing adds a hole, taking no blocks. @return 0, or -errno */
    static int ftruncate(final int fd, final long length)
    {
        try
        {
            final MemorySegment errno = ERRNO_SLOT.get();
            int result;
            do
            {
                result = (int)FTRUNCATE.invokeExact(errno, fd, length);
            }
            while (result < 0 && errno(errno) == EINTR);
            return result == 0 ? 0 : -errno(errno);
        }
        catch (final Throwable ex)
        {
            throw new IllegalStateException("ftruncate failed to call", ex);
        }
    }

    static int fallocate(final int fd, final int mode, final long offset, final long length)
    {
        try
        {
            final MemorySegment errno = ERRNO_SLOT.get();
            int result;
            do
            {
                result = (int)FALLOCATE.invokeExact(errno, fd, mode, offset, length);
            }
            while (result < 0 && errno(errno) == EINTR);
            return result == 0 ? 0 : -errno(errno);
        }
        catch (final Throwable ex)
        {
            throw new IllegalStateException("fallocate failed to call", ex);
        }
    }

    /** @return the new offset, or {@code -errno} */
    static long lseek(final int fd, final long offset, final int whence)
    {
        try
        {
            final MemorySegment errno = ERRNO_SLOT.get();
            final long result = (long)LSEEK.invokeExact(errno, fd, offset, whence);
            return result >= 0 ? result : -errno(errno);
        }
        catch (final Throwable ex)
        {
            throw new IllegalStateException("lseek failed to call", ex);
        }
    }

    /** The calling thread's iovec array: {@link #IOV_MAX} entries of base address and length. */
    static MemorySegment iovecs()
    {
        return IOVECS.get();
    }

    /** @return bytes read (0 at end of file, maybe fewer than asked), or {@code -errno}; EINTR is retried */
    static long pread(final int fd, final long address, final long length, final long offset)
    {
        try
        {
            final MemorySegment errno = ERRNO_SLOT.get();
            long result;
            do
            {
                result = (long)PREAD.invokeExact(errno, fd, address, length, offset);
            }
            while (result < 0 && errno(errno) == EINTR);
            return result >= 0 ? result : -errno(errno);
        }
        catch (final Throwable ex)
        {
            throw new IllegalStateException("pread failed to call", ex);
        }
    }

    /** @return bytes written (maybe fewer than asked), or {@code -errno}; EINTR is retried */
    static long pwrite(final int fd, final long address, final long length, final long offset)
    {
        try
        {
            final MemorySegment errno = ERRNO_SLOT.get();
            long result;
            do
            {
                result = (long)PWRITE.invokeExact(errno, fd, address, length, offset);
            }
            while (result < 0 && errno(errno) == EINTR);
            return result >= 0 ? result : -errno(errno);
        }
        catch (final Throwable ex)
        {
            throw new IllegalStateException("pwrite failed to call", ex);
        }
    }

    /** @return bytes written (maybe fewer than asked), or {@code -errno}; EINTR is retried */
    static long pwritev(final int fd, final MemorySegment iovecs, final int count, final long offset)
    {
        try
        {
            final MemorySegment errno = ERRNO_SLOT.get();
            long result;
            do
            {
                result = (long)PWRITEV.invokeExact(errno, fd, iovecs, count, offset);
            }
            while (result < 0 && errno(errno) == EINTR);
            return result >= 0 ? result : -errno(errno);
        }
        catch (final Throwable ex)
        {
            throw new IllegalStateException("pwritev failed to call", ex);
        }
    }

    /**
     * mincore(2): whether every page of the range (at most {@link #MAX_RESIDENT_CHECK_BYTES}) is in
     * memory. A walk of the page tables and page cache that takes no page references: much cheaper
     * than populating a range that is already resident.
     *
     * @return 1 all resident, 0 some not, or {@code -errno}
     */
    static int resident(final long address, final long length)
    {
        final long start = address & -PAGE_BYTES;
        final long end = (address + length + PAGE_BYTES - 1) & -PAGE_BYTES;
        final int pages = (int)((end - start) / PAGE_BYTES);
        try
        {
            final MemorySegment errno = ERRNO_SLOT.get();
            final MemorySegment vector = PAGE_VECTOR.get();
            final int result = (int)MINCORE.invokeExact(errno, start, end - start, vector.address());
            if (result < 0)
            {
                return -errno(errno);
            }
            for (int i = 0; i < pages; i++)
            {
                if (0 == (vector.get(ValueLayout.JAVA_BYTE, i) & 1))
                {
                    return 0;
                }
            }
            return 1;
        }
        catch (final Throwable ex)
        {
            throw new IllegalStateException("mincore failed to call", ex);
        }
    }

    /** @return 0, or {@code -errno}; the range is widened to whole pages; EINTR is retried */
    static int madvise(final long address, final long length, final int advice)
    {
        final long start = address & -PAGE_BYTES;
        final long end = (address + length + PAGE_BYTES - 1) & -PAGE_BYTES;
        try
        {
            final MemorySegment errno = ERRNO_SLOT.get();
            int result;
            do
            {
                result = (int)MADVISE.invokeExact(errno, start, end - start, advice);
            }
            while (result < 0 && errno(errno) == EINTR);
            return result == 0 ? 0 : -errno(errno);
        }
        catch (final Throwable ex)
        {
            throw new IllegalStateException("madvise failed to call", ex);
        }
    }

    private static int errno(final MemorySegment slot)
    {
        return (int)ERRNO.get(slot, 0L);
    }

    @SuppressWarnings("restricted") // native access is enabled for the whole application in bin/jvm.options
    private static MethodHandle handle(final String name, final FunctionDescriptor descriptor)
    {
        final MemorySegment symbol = LIBC.find(name)
            .orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
        return LINKER.downcallHandle(symbol, descriptor, CAPTURE_ERRNO);
    }
}
