package io.vplane.blockstore.device;

import io.vplane.blockstore.config.NbdDiskConfig;
import io.vplane.blockstore.config.NbdTenantConfig;
import io.vplane.blockstore.config.NbdTlsConfig;
import io.vplane.blockstore.config.NbdTransport;
import io.vplane.blockstore.nbd.NbdLimits;
import io.vplane.blockstore.qos.SchedulerSettings;
import io.vplane.engine.confine.ConfinedDirectory;

import java.nio.file.Path;
import java.util.Objects;

/**
 * What a disk device is opened from; compared with {@code equals} on reload, where a difference
 * reopens the disk. The disk's QoS is not compared: it applies live ({@link NbdDeviceProvider#applyLive}). The tenant counts by name only: its rules (allow, requireTls) are applied to the
 * running disk in place ({@link NbdDeviceProvider#applyLive}), so its connections stay open.
 *
 * @param disk        the disk's config
 * @param tenant      its tenant's config
 * @param image       the image path, resolved against the run directory
 * @param bindAddress the NBD server's address
 * @param port        the NBD server's port
 * @param tls         the NBD server's TLS certificates
 * @param transport   the NBD server's Netty transport
 * @param limits      what one client may hold of the NBD server
 * @param imageDirs   the directories a file image is opened beneath; not compared, the image path says which
 * @param scheduler   the slice scheduler's settings (nbd.qos); not compared, they apply live
 */
public record DiskSettings(NbdDiskConfig disk, NbdTenantConfig tenant, Path image, String bindAddress, int port,
    NbdTlsConfig tls, NbdTransport transport, NbdLimits limits, ConfinedDirectory imageDirs, SchedulerSettings scheduler)
{
    @Override
    public boolean equals(final Object other)
    {
        return other instanceof final DiskSettings that && disk.withoutQos().equals(that.disk.withoutQos()) && tenant.name().equals(that.tenant.name()) &&
            image.equals(that.image) && bindAddress.equals(that.bindAddress) && port == that.port && tls.equals(that.tls) &&
            transport == that.transport && limits.equals(that.limits);
    }

    @Override
    public int hashCode()
    {
        return Objects.hash(disk.withoutQos(), tenant.name(), image, bindAddress, port, tls, transport, limits);
    }
}
