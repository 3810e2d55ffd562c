package io.vplane.blockstore.config;

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
 */
public record NbdDiskConfig(
    String name, String image, long sizeBytes, boolean readOnly, String description, String tenant, int queues,
    int minBlockBytes)
{
}
