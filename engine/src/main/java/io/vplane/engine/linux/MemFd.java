package io.vplane.engine.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * memfd_create(2): an anonymous shared-memory file, as a vhost-user frontend uses for guest memory
 * and passes over the socket. Bound only where libc has it, so that its absence costs only this.
 */
public final class MemFd
{
    private static final int MFD_CLOEXEC = 1;

    private static final Optional<MethodHandle> MEMFD_CREATE =
        NativeCall.optionalDowncall("memfd_create", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));

    private MemFd()
    {
    }

    /** @return a file of {@code size} bytes, closed on exec, or {@code -errno} (ENOSYS: no memfd here) */
    public static int create(final String name, final long size)
    {
        if (MEMFD_CREATE.isEmpty())
        {
            return -Errno.ENOSYS;
        }
        final int fd = createEmpty(MEMFD_CREATE.get(), name);
        if (fd < 0)
        {
            return fd;
        }
        final int rc = FileIo.truncate(fd, size);
        if (rc < 0)
        {
            FileIo.close(fd);
            return rc;
        }
        return fd;
    }

    /** Whether memfd_create works here: libc binds it and the kernel (3.17 on) answers it. */
    public static KernelCapability capability()
    {
        return Probe.CAPABILITY;
    }

    private static int createEmpty(final MethodHandle memfdCreate, final String name)
    {
        try (Arena arena = Arena.ofConfined())
        {
            return NativeCall.checked((int)memfdCreate.invokeExact(NativeCall.state(), arena.allocateFrom(name), MFD_CLOEXEC));
        }
        catch (final Throwable ex)
        {
            throw NativeCall.failedToCall("memfd_create", ex);
        }
    }

    private static final class Probe
    {
        static final KernelCapability CAPABILITY = probe();

        private static KernelCapability probe()
        {
            final String name = "memfd_create";
            if (MEMFD_CREATE.isEmpty())
            {
                return KernelCapability.missing(name, "libc has no memfd_create (glibc 2.27 added it)");
            }
            final int fd = createEmpty(MEMFD_CREATE.get(), "vplane-probe");
            if (fd < 0)
            {
                return KernelCapability.missing(name, -fd == Errno.ENOSYS
                    ? "the kernel has no memfd_create (Linux 3.17 added it)"
                    : "memfd_create failed: " + Errno.describe(-fd));
            }
            FileIo.close(fd);
            return KernelCapability.available(name);
        }
    }
}
