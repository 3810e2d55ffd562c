package io.vplane.blockstore.convert;

/**
 * Defaults of an online conversion ({@code nbd.convert}); a convert command may give its own.
 *
 * @param rateBytesPerSec the background copier's rate; 0: no limit
 * @param chunkBytes      the unit of the copy and of the map, a power of two
 */
public record ConvertSettings(long rateBytesPerSec, int chunkBytes)
{
    /** 128 MiB/s leaves most of a disk's bandwidth to the VM; 1 MiB chunks keep the map at 128 KiB per TiB and a fill before a partial write short. */
    public static final ConvertSettings DEFAULTS = new ConvertSettings(128L << 20, 1 << 20);
    public static final int MIN_CHUNK_BYTES = 4096;
    public static final int MAX_CHUNK_BYTES = 64 << 20;
    public static final long MAX_RATE_BYTES_PER_SEC = 1L << 40;
}
