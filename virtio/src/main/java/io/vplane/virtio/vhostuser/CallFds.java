package io.vplane.virtio.vhostuser;

import io.vplane.engine.linux.Errno;
import io.vplane.engine.linux.FileIo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Makes a frontend's call fd (SET_VRING_CALL) safe for a worker to signal: it must be an eventfd,
 * and it is made non-blocking, so a write never waits. An eventfd write blocks only when the
 * counter would pass 2^64 - 2, which a hostile frontend arranges by writing that much itself; on a
 * non-blocking fd that write fails with EAGAIN instead, and a full counter already means the guest
 * is signalled (eventfd(2)). QEMU and DPDK create their call eventfds with EFD_NONBLOCK anyway, so
 * setting the flag on the shared file description changes nothing for them.
 */
final class CallFds
{
    private static final String EVENTFD_LINK = "anon_inode:[eventfd]";

    private CallFds()
    {
    }

    /** @return null when {@code fd} is ready to be signalled, else why it cannot be */
    static String prepare(final int fd)
    {
        final String target;
        try
        {
            target = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
        }
        catch (final IOException | UnsupportedOperationException ex)
        {
            return "fd " + fd + " cannot be inspected: " + ex.getMessage();
        }
        if (!EVENTFD_LINK.equals(target))
        {
            return "call fd is " + target + ", not an eventfd";
        }
        final int rc = FileIo.setNonBlocking(fd);
        return rc < 0 ? "call fd cannot be made non-blocking: " + Errno.describe(-rc) : null;
    }
}
