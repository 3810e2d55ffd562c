package io.vplane.virtio.memory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.invoke.MethodHandle;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/** Guest memory files as frontends make them: memfds that take seals (QEMU's memory-backend-memfd), and truncation. */
public final class SealableMemfd
{
    private static final int MFD_CLOEXEC = 0x1;
    private static final int MFD_ALLOW_SEALING = 0x2;
    private static final MethodHandle MEMFD_CREATE = Linker.nativeLinker().downcallHandle(
        Linker.nativeLinker().defaultLookup().findOrThrow("memfd_create"), FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));

    private SealableMemfd()
    {
    }

    /** A memfd of {@code size} bytes that takes seals and has none yet. */
    public static int create(final String name, final long size)
    {
        final int fd;
        try (Arena arena = Arena.ofConfined())
        {
            fd = (int)MEMFD_CREATE.invokeExact(arena.allocateFrom(name), MFD_CLOEXEC | MFD_ALLOW_SEALING);
        }
        catch (final Throwable ex)
        {
            throw new IllegalStateException(ex);
        }
        if (fd < 0)
        {
            throw new IllegalStateException("memfd_create failed");
        }
        try
        {
            truncate(fd, size);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        return fd;
    }

    /** Sets the file's size, as a frontend may do to its own memory file at any time. */
    public static void truncate(final int fd, final long size) throws IOException
    {
        try (FileChannel file = FileChannel.open(Path.of("/proc/self/fd/" + fd), StandardOpenOption.WRITE))
        {
            if (size < file.size())
            {
                file.truncate(size);
            }
            else
            {
                // FileChannel cannot grow a file without writing: write the last byte
                file.write(java.nio.ByteBuffer.allocate(1), size - 1);
            }
        }
    }
}
