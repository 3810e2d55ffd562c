package io.vplane.virtio.vhostuser;

import io.vplane.virtio.memory.GuestMemoryLimits;

import java.nio.file.Path;

/**
 * Where and how a device's vhost-user channel is served.
 *
 * @param path         Unix socket path
 * @param client       true: connect to a frontend that listens (and reconnect); false: listen on it
 * @param memoryLimits what one SET_MEM_TABLE may map
 */
public record VhostUserSocket(Path path, boolean client, GuestMemoryLimits memoryLimits)
{
    /** vplane listens on {@code path}, with the default memory limits. */
    public static VhostUserSocket listening(final Path path)
    {
        return new VhostUserSocket(path, false, GuestMemoryLimits.defaults());
    }
}
