package io.vplane.blockstore.device;

import io.vplane.config.NbdDiskConfig;
import io.vplane.config.NbdTenantConfig;
import io.vplane.config.NbdTlsConfig;

import java.nio.file.Path;

/**
 * What a disk device is opened from; compared with {@code equals} on reload.
 *
 * @param disk        the disk's config
 * @param tenant      its tenant's config
 * @param image       the image path, resolved against the run directory
 * @param bindAddress the NBD server's address
 * @param port        the NBD server's port
 * @param tls         the NBD server's TLS certificates
 */
public record DiskSettings(NbdDiskConfig disk, NbdTenantConfig tenant, Path image, String bindAddress, int port,
    NbdTlsConfig tls)
{
}
