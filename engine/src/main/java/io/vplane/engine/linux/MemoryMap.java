package io.vplane.engine.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Memory mapping: mmap of a passed fd (guest memory), munmap, madvise (to fault a mapped image's
 * pages in) and mincore (are they in memory already). Addresses are plain longs on the hot calls,
 * so no MemorySegment is made per request.
 */
public final class MemoryMap
{
    public static final int PROT_READ = 0x1;
    public static final int PROT_WRITE = 0x2;
    public static final int MAP_SHARED = 0x1;
    public static final int MAP_PRIVATE = 0x2;
    public static final int MAP_ANONYMOUS = 0x20;

    /** madvise(2): fault the range's pages in and map them, as reading each page would (Linux 5.14). */
    public static final int MADV_POPULATE_READ = 22;
    public static final long PAGE_BYTES = 4096;
    /** Longest range {@link #resident} checks: the largest NBD request. */
    public static final long MAX_RESIDENT_CHECK_BYTES = 32L << 20;

    private static final MethodHandle MMAP =
        NativeCall.downcall("mmap", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle MREMAP = NativeCall.variadicDowncall("mremap",
        FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_INT, ADDRESS), 4);
    private static final int MAP_FIXED = 0x10;
    private static final int MAP_NORESERVE = 0x4000;
    private static final int MREMAP_MAYMOVE = 1;
    private static final int MREMAP_FIXED = 2;
    private static final MethodHandle MUNMAP = NativeCall.downcall("munmap", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle MINCORE = NativeCall.downcall("mincore", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle MADVISE = NativeCall.downcall("madvise", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT));
    /** {@link #madvise} retries EINTR; the {@link PopulateRead} probe reads the first errno as it is. */
    private static final MethodHandle MADVISE_RETRYING = NativeCall.retryingEintr(MADVISE);

    /** mincore's vector per calling thread, a byte per page of the longest range. */
    private static final ThreadLocal<MemorySegment> PAGE_VECTOR =
        ThreadLocal.withInitial(() -> Arena.global().allocate(MAX_RESIDENT_CHECK_BYTES / PAGE_BYTES + 2, 8));

    private MemoryMap()
    {
    }

    /** @return the mapping's address, or {@link MemorySegment#NULL} with {@link Errno#last()} set */
    public static MemorySegment mmap(final long length, final int prot, final int flags, final int fd, final long offset)
    {
        try
        {
            final MemorySegment address = (MemorySegment)MMAP.invokeExact(NativeCall.state(), MemorySegment.NULL, length, prot, flags, fd, offset);
            // MAP_FAILED is (void *)-1
            return address.address() == -1L ? MemorySegment.NULL : address;
        }
        catch (final Throwable ex)
        {
            throw NativeCall.failedToCall("mmap", ex);
        }
    }

    /**
     * Reserves {@code length} bytes of address space (no access, no memory committed), for mappings
     * to be placed in it with {@link #aliasShared}.
     *
     * @return the reservation's address, or {@link MemorySegment#NULL} with {@link Errno#last()} set
     */
    public static MemorySegment reserve(final long length)
    {
        return mmap(length, 0, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    }

    /**
     * Maps the pages of the shared mapping at [{@code address}, {@code address + length}) a second
     * time at {@code target} (replacing what is there): mremap(2) with an old size of 0, which makes a
     * new mapping of the same pages. The pages are the same; writes through either address are seen
     * through both.
     *
     * @return 0 or {@code -errno} (EINVAL: not a shared mapping)
     */
    public static int aliasShared(final long address, final long length, final long target)
    {
        try
        {
            final MemorySegment moved = (MemorySegment)MREMAP.invokeExact(NativeCall.state(), MemorySegment.ofAddress(address),
                0L, length, MREMAP_MAYMOVE | MREMAP_FIXED, MemorySegment.ofAddress(target));
            return moved.address() == -1L ? -Errno.last() : 0;
        }
        catch (final Throwable ex)
        {
            throw NativeCall.failedToCall("mremap", ex);
        }
    }

    /** Anonymous private memory at {@code target} (replacing what is there). @return 0 or {@code -errno} */
    public static int anonymousAt(final long target, final long length)
    {
        try
        {
            final MemorySegment at = (MemorySegment)MMAP.invokeExact(NativeCall.state(), MemorySegment.ofAddress(target), length,
                PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0L);
            return at.address() == -1L ? -Errno.last() : 0;
        }
        catch (final Throwable ex)
        {
            throw NativeCall.failedToCall("mmap", ex);
        }
    }

    public static int munmap(final long address, final long length)
    {
        try
        {
            return NativeCall.checked((int)MUNMAP.invokeExact(NativeCall.state(), MemorySegment.ofAddress(address), length));
        }
        catch (final Throwable ex)
        {
            throw NativeCall.failedToCall("munmap", ex);
        }
    }

    /**
     * mincore(2): whether every page of the range (at most {@link #MAX_RESIDENT_CHECK_BYTES}) is in
     * memory. A walk of the page tables and page cache that takes no page references: much cheaper
     * than populating a range that is already resident.
     *
     * @return 1 all resident, 0 some not, or {@code -errno}
     */
    public static int resident(final long address, final long length)
    {
        final long start = address & -PAGE_BYTES;
        final long end = (address + length + PAGE_BYTES - 1) & -PAGE_BYTES;
        final int pages = (int)((end - start) / PAGE_BYTES);
        try
        {
            final MemorySegment vector = PAGE_VECTOR.get();
            final int result = (int)MINCORE.invokeExact(NativeCall.state(), start, end - start, vector.address());
            if (result < 0)
            {
                return -NativeCall.errno();
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
            throw NativeCall.failedToCall("mincore", ex);
        }
    }

    /** @return 0, or {@code -errno}; the range is widened to whole pages; EINTR is retried */
    public static int madvise(final long address, final long length, final int advice)
    {
        if (advice == MADV_POPULATE_READ && !PopulateRead.CAPABILITY.isAvailable())
        {
            return -Errno.EINVAL; // what this kernel answers, without asking it again
        }
        final long start = address & -PAGE_BYTES;
        final long end = (address + length + PAGE_BYTES - 1) & -PAGE_BYTES;
        try
        {
            return (int)MADVISE_RETRYING.invokeExact(NativeCall.state(), start, end - start, advice);
        }
        catch (final Throwable ex)
        {
            throw NativeCall.failedToCall("madvise", ex);
        }
    }

    /** Whether madvise takes {@link #MADV_POPULATE_READ}. */
    public static KernelCapability populateRead()
    {
        return PopulateRead.CAPABILITY;
    }

    /** Probed on first use, on one page of anonymous memory. */
    private static final class PopulateRead
    {
        static final KernelCapability CAPABILITY = probe();

        private static KernelCapability probe()
        {
            final String name = "madvise(MADV_POPULATE_READ)";
            final MemorySegment page = mmap(PAGE_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            if (MemorySegment.NULL.equals(page))
            {
                return KernelCapability.missing(name, "mmap of one page failed: " + Errno.describe(Errno.last()));
            }
            try
            {
                final int result = (int)MADVISE.invokeExact(NativeCall.state(), page.address(), PAGE_BYTES, MADV_POPULATE_READ);
                if (result == 0)
                {
                    return KernelCapability.available(name);
                }
                final int errno = NativeCall.errno();
                return KernelCapability.missing(name, errno == Errno.EINVAL
                    ? "the kernel has no MADV_POPULATE_READ (Linux 5.14 added it)"
                    : "madvise failed: " + Errno.describe(errno));
            }
            catch (final Throwable ex)
            {
                throw NativeCall.failedToCall("madvise", ex);
            }
            finally
            {
                munmap(page.address(), PAGE_BYTES);
            }
        }
    }
}
