package io.vplane.engine.linux;

import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * struct xdp_mmap_offsets (uapi/linux/if_xdp.h), 128 bytes: four struct xdp_ring_offset (rx at 0,
 * tx at 32, fill at 64, completion at 96), each 0 u64 producer, 8 u64 consumer, 16 u64 desc,
 * 24 u64 flags: where the indices, the entries and the flags lie in each ring's mapping.
 */
public final class XdpMmapOffsets
{
    public static final int SIZE = 128;
    public static final int RX = 0;
    public static final int TX = 32;
    public static final int FILL = 64;
    public static final int COMPLETION = 96;

    private final long[] offsets = new long[16];

    XdpMmapOffsets(final MemorySegment offsets)
    {
        for (int i = 0; i < this.offsets.length; i++)
        {
            this.offsets[i] = offsets.get(JAVA_LONG, 8L * i);
        }
    }

    long producer(final int ring)
    {
        return offsets[ring / 8];
    }

    long consumer(final int ring)
    {
        return offsets[ring / 8 + 1];
    }

    long desc(final int ring)
    {
        return offsets[ring / 8 + 2];
    }

    long flags(final int ring)
    {
        return offsets[ring / 8 + 3];
    }
}
