package io.vplane.blockstore.config;

import io.vplane.blockstore.qos.DiskQos;

/**
 * One virtual disk, exported over NBD under its name.
 *
 * @param name        export name, unique; also the device name
 * @param image       raw image file (a relative path is resolved against the run directory), or
 *                    {@code nbd://host[:port]/export} for a disk kept on another NBD server
 * @param sizeBytes   size of the disk; a missing image is created sparse with this size
 * @param readOnly    writes, trims and zeroing are refused with EPERM
 * @param description free text sent with NBD_INFO_DESCRIPTION and LIST; may be empty
 * @param tenant      the tenant that owns the disk; only its allowed clients see it
 * @param queues      blk device queues; the disk's connections are spread over them
 * @param minBlockBytes smallest I/O unit, advertised in NBD_INFO_BLOCK_SIZE; 1 means any alignment
 * @param qos         limits, reservation and weight of the disk's I/O; changes apply live
 */
public record NbdDiskConfig(
    String name, String image, long sizeBytes, boolean readOnly, String description, String tenant, int queues,
    int minBlockBytes, DiskQos qos)
{
    /** A disk with no QoS settings. */
    public NbdDiskConfig(
        final String name, final String image, final long sizeBytes, final boolean readOnly, final String description,
        final String tenant, final int queues, final int minBlockBytes)
    {
        this(name, image, sizeBytes, readOnly, description, tenant, queues, minBlockBytes, DiskQos.UNLIMITED);
    }

    /** The same disk with another image (a backend upgrade). */
    public NbdDiskConfig withImage(final String next)
    {
        return new NbdDiskConfig(name, next, sizeBytes, readOnly, description, tenant, queues, minBlockBytes, qos);
    }

    /** Everything that needs the disk reopened when it changes: all but the QoS, which applies live. */
    public NbdDiskConfig withoutQos()
    {
        return new NbdDiskConfig(name, image, sizeBytes, readOnly, description, tenant, queues, minBlockBytes);
    }
}
