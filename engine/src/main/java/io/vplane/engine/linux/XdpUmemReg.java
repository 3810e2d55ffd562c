package io.vplane.engine.linux;

import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * struct xdp_umem_reg (uapi/linux/if_xdp.h), 32 bytes: 0 u64 addr, 8 u64 len, 16 u32 chunk_size,
 * 20 u32 headroom, 24 u32 flags, 28 u32 tx_metadata_len (Linux 6.8; padding before, zero either way).
 */
public final class XdpUmemReg
{
    public static final int SIZE = 32;
    /** Frames may start anywhere in the UMEM, not only on a chunk boundary. */
    public static final int XDP_UMEM_UNALIGNED_CHUNK_FLAG = 1;

    private XdpUmemReg()
    {
    }

    static void write(final MemorySegment reg, final long address, final long length, final int chunkSize,
        final int headroom, final int flags)
    {
        reg.set(JAVA_LONG, 0, address);
        reg.set(JAVA_LONG, 8, length);
        reg.set(JAVA_INT, 16, chunkSize);
        reg.set(JAVA_INT, 20, headroom);
        reg.set(JAVA_INT, 24, flags);
        reg.set(JAVA_INT, 28, 0);
    }
}
