package io.vplane.engine.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Calls on file descriptors: open, close, read and write, the positioned pread / pwrite / pwritev
 * on raw native addresses (the memory of pooled direct buffers, so no view is made per request),
 * fallocate (punch hole, zero range), lseek with SEEK_DATA / SEEK_HOLE, ftruncate and fcntl.
 * The positioned calls and fallocate retry EINTR, as the image backends expect; the others return it.
 */
public final class FileIo
{
    public static final int O_RDONLY = 0;
    public static final int O_RDWR = 2;
    public static final int O_CREAT = 0x40;
    public static final int O_EXCL = 0x80;
    public static final int O_NONBLOCK = 0x800;
    /** open(2): fail with ELOOP rather than follow a symbolic link in the last component. */
    public static final int O_NOFOLLOW = 0x20000;
    public static final int O_CLOEXEC = 0x80000;

    public static final int SEEK_END = 2;
    public static final int SEEK_DATA = 3;
    public static final int SEEK_HOLE = 4;

    /** fallocate(2) modes, linux/falloc.h. */
    public static final int FALLOC_FL_KEEP_SIZE = 0x01;
    public static final int FALLOC_FL_PUNCH_HOLE = 0x02;
    public static final int FALLOC_FL_ZERO_RANGE = 0x10;

    private static final int F_GETFL = 3;
    private static final int F_SETFL = 4;
    private static final int F_DUPFD_CLOEXEC = 1030;

    private static final MethodHandle OPEN = NativeCall.downcall("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    private static final MethodHandle CLOSE = NativeCall.downcall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle READ = NativeCall.downcall("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle WRITE = NativeCall.downcall("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    /** read and write on a plain 64-bit address (guest memory, a pooled buffer): no view per call. */
    private static final MethodHandle READ_AT_ADDRESS =
        NativeCall.downcall("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle WRITE_AT_ADDRESS =
        NativeCall.downcall("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG));
    /** The buffer is passed as a plain 64-bit address: no MemorySegment per call. */
    private static final MethodHandle PREAD = NativeCall.retryingEintr(
        NativeCall.downcall("pread", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG)));
    private static final MethodHandle PWRITE = NativeCall.retryingEintr(
        NativeCall.downcall("pwrite", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG)));
    private static final MethodHandle PWRITEV = NativeCall.retryingEintr(
        NativeCall.downcall("pwritev", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG)));
    private static final MethodHandle FALLOCATE = NativeCall.retryingEintr(
        NativeCall.downcall("fallocate", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG)));
    private static final MethodHandle LSEEK = NativeCall.downcall("lseek", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT));
    private static final MethodHandle FTRUNCATE =
        NativeCall.retryingEintr(NativeCall.downcall("ftruncate", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG)));
    private static final MethodHandle FCNTL = NativeCall.downcall("fcntl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));

    /** iovec array per calling thread, for {@link #pwritev}; the blk workers are few and long-lived. */
    private static final ThreadLocal<MemorySegment> IOVECS =
        ThreadLocal.withInitial(() -> Arena.global().allocate((long)Iovec.SIZE * Iovec.IOV_MAX, 8));

    private FileIo()
    {
    }

    /** Opens {@code path}, always closed on exec. @return the descriptor, or {@code -errno} */
    public static int open(final String path, final int flags)
    {
        return open(path, flags, 0);
    }

    /**
     * @param mode permission bits of a file that {@code O_CREAT} creates
     * @return the descriptor, or {@code -errno}
     */
    public static int open(final String path, final int flags, final int mode)
    {
        try (Arena arena = Arena.ofConfined())
        {
            return NativeCall.checked((int)OPEN.invokeExact(NativeCall.state(), arena.allocateFrom(path), flags | O_CLOEXEC, mode));
        }
        catch (final Throwable ex)
        {
            throw NativeCall.failedToCall("open(" + path + ")", ex);
        }
    }

    /** @return 0 (also for a negative fd, which was never opened), or {@code -errno} */
    public static int close(final int fd)
    {
        if (fd < 0)
        {
            return 0;
        }
        try
        {
            return NativeCall.checked((int)CLOSE.invokeExact(NativeCall.state(), fd));
        }
        catch (final Throwable ex)
        {
            throw NativeCall.failedToCall("close", ex);
        }
    }

    public static long read(final int fd, final MemorySegment buffer, final long length)
    {
        try
        {
            return NativeCall.checked((long)READ.invokeExact(NativeCall.state(), fd, buffer, length));
        }
        catch (final Throwable ex)
        {
            throw NativeCall.failedToCall("read", ex);
        }
    }

    public static long write(final int fd, final MemorySegment buffer, final long length)
    {
        try
        {
            return NativeCall.checked((long)WRITE.invokeExact(NativeCall.state(), fd, buffer, length));
        }
        catch (final Throwable ex)
        {
            throw NativeCall.failedToCall("write", ex);
        }
    }

    /** read(2) into native memory at {@code address}. @return bytes read (0 at end of file), or {@code -errno} */
    public static long read(final int fd, final long address, final long length)
    {
        try
        {
            return NativeCall.checked((long)READ_AT_ADDRESS.invokeExact(NativeCall.state(), fd, address, length));
        }
        catch (final Throwable ex)
        {
            throw NativeCall.failedToCall("read", ex);
        }
    }

    /** write(2) from native memory at {@code address}. @return bytes written (maybe fewer), or {@code -errno} */
    public static long write(final int fd, final long address, final long length)
    {
        try
        {
            return NativeCall.checked((long)WRITE_AT_ADDRESS.invokeExact(NativeCall.state(), fd, address, length));
        }
        catch (final Throwable ex)
        {
            throw NativeCall.failedToCall("write", ex);
        }
    }

    /** @return bytes read (0 at end of file, maybe fewer than asked), or {@code -errno}; EINTR is retried */
    public static long pread(final int fd, final long address, final long length, final long offset)
    {
        try
        {
            return (long)PREAD.invokeExact(NativeCall.state(), fd, address, length, offset);
        }
        catch (final Throwable ex)
        {
            throw NativeCall.failedToCall("pread", ex);
        }
    }

    /** @return bytes written (maybe fewer than asked), or {@code -errno}; EINTR is retried */
    public static long pwrite(final int fd, final long address, final long length, final long offset)
    {
        try
        {
            return (long)PWRITE.invokeExact(NativeCall.state(), fd, address, length, offset);
        }
        catch (final Throwable ex)
        {
            throw NativeCall.failedToCall("pwrite", ex);
        }
    }

    /** The calling thread's iovec array: {@link Iovec#IOV_MAX} entries for {@link #pwritev}. */
    public static MemorySegment iovecs()
    {
        return IOVECS.get();
    }

    /** @return bytes written (maybe fewer than asked), or {@code -errno}; EINTR is retried */
    public static long pwritev(final int fd, final MemorySegment iovecs, final int count, final long offset)
    {
        try
        {
            return (long)PWRITEV.invokeExact(NativeCall.state(), fd, iovecs, count, offset);
        }
        catch (final Throwable ex)
        {
            throw NativeCall.failedToCall("pwritev", ex);
        }
    }

    /** @return 0, or {@code -errno}; EINTR is retried */
    public static int fallocate(final int fd, final int mode, final long offset, final long length)
    {
        try
        {
            return (int)FALLOCATE.invokeExact(NativeCall.state(), fd, mode, offset, length);
        }
        catch (final Throwable ex)
        {
            throw NativeCall.failedToCall("fallocate", ex);
        }
    }

    /** @return the new offset, or {@code -errno} */
    public static long lseek(final int fd, final long offset, final int whence)
    {
        try
        {
            return NativeCall.checked((long)LSEEK.invokeExact(NativeCall.state(), fd, offset, whence));
        }
        catch (final Throwable ex)
        {
            throw NativeCall.failedToCall("lseek", ex);
        }
    }

    /** Size of the file behind {@code fd} (lseek to its end), or {@code -errno}. */
    public static long fileSize(final int fd)
    {
        return lseek(fd, 0L, SEEK_END);
    }

    /** ftruncate(2): growing adds a hole, taking no blocks; EINTR is retried. @return 0, or {@code -errno} */
    public static int truncate(final int fd, final long size)
    {
        try
        {
            return (int)FTRUNCATE.invokeExact(NativeCall.state(), fd, size);
        }
        catch (final Throwable ex)
        {
            throw NativeCall.failedToCall("ftruncate", ex);
        }
    }

    public static int setNonBlocking(final int fd)
    {
        final int flags = fcntl(fd, F_GETFL, 0);
        return flags < 0 ? flags : fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    }

    /** A second descriptor for what {@code fd} refers to, closed on exec. */
    public static int dup(final int fd)
    {
        return fcntl(fd, F_DUPFD_CLOEXEC, 0);
    }

    /** fcntl with an int argument. @return its result, or {@code -errno} */
    static int fcntl(final int fd, final int command, final int argument)
    {
        try
        {
            return NativeCall.checked((int)FCNTL.invokeExact(NativeCall.state(), fd, command, argument));
        }
        catch (final Throwable ex)
        {
            throw NativeCall.failedToCall("fcntl", ex);
        }
    }
}
