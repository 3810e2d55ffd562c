package io.vplane.virtio.virtq;

/**
 * Layout of a split virtqueue in guest memory (virtio 1.2 §2.7), little-endian.
 * <pre>
 *   Descriptor table (16-byte aligned), size entries of 16 bytes:
 *     0 addr u64 (guest-physical) | 8 len u32 | 12 flags u16 | 14 next u16
 *
 *   Available ring (2-byte aligned), written by the driver:
 *     0 flags u16 | 2 idx u16 | 4 ring[size] u16 (head indices) | 4+2*size used_event u16
 *
 *   Used ring (4-byte aligned), written by the device:
 *     0 flags u16 | 2 idx u16 | 4 ring[size] {id u32, len u32} | 4+8*size avail_event u16
 * </pre>
 * Indices are free-running u16; the slot is {@code idx % size} (size is a power of two).
 */
public final class SplitRing
{
    public static final int MAX_SIZE = 32768;

    public static final int DESC_SIZE = 16;
    public static final int DESC_ADDR_OFFSET = 0;
    public static final int DESC_LEN_OFFSET = 8;
    public static final int DESC_FLAGS_OFFSET = 12;
    public static final int DESC_NEXT_OFFSET = 14;
    public static final int DESC_ALIGN = 16;

    /** virtio 1.2 §2.7.5: the buffer continues in the {@code next} field. */
    public static final int DESC_F_NEXT = 1;
    /** Device-writable (otherwise device-readable). */
    public static final int DESC_F_WRITE = 2;
    /** The buffer holds a table of descriptors (§2.7.5.3). */
    public static final int DESC_F_INDIRECT = 4;

    public static final int AVAIL_FLAGS_OFFSET = 0;
    public static final int AVAIL_IDX_OFFSET = 2;
    public static final int AVAIL_RING_OFFSET = 4;
    public static final int AVAIL_ALIGN = 2;
    /** §2.7.7: the driver does not want an interrupt when buffers are used. */
    public static final int AVAIL_F_NO_INTERRUPT = 1;

    public static final int USED_FLAGS_OFFSET = 0;
    public static final int USED_IDX_OFFSET = 2;
    public static final int USED_RING_OFFSET = 4;
    public static final int USED_ELEM_SIZE = 8;
    public static final int USED_ELEM_ID_OFFSET = 0;
    public static final int USED_ELEM_LEN_OFFSET = 4;
    public static final int USED_ALIGN = 4;
    /** §2.7.10: the device does not want kicks when buffers are made available. */
    public static final int USED_F_NO_NOTIFY = 1;

    private SplitRing()
    {
    }

    public static long descTableBytes(final int size)
    {
        return (long)DESC_SIZE * size;
    }

    public static long availBytes(final int size)
    {
        return AVAIL_RING_OFFSET + 2L * size + 2;
    }

    public static long usedBytes(final int size)
    {
        return USED_RING_OFFSET + (long)USED_ELEM_SIZE * size + 2;
    }
}
