package io.vplane.engine.linux;

import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * struct sockaddr_xdp (uapi/linux/if_xdp.h), 16 bytes: 0 u16 sxdp_family, 2 u16 sxdp_flags,
 * 4 u32 sxdp_ifindex, 8 u32 sxdp_queue_id, 12 u32 sxdp_shared_umem_fd; with the bind flags.
 */
public final class SockaddrXdp
{
    public static final int SIZE = 16;
    /** The kernel copies frames between the driver's buffers and the UMEM (any driver, generic XDP too). */
    public static final int XDP_COPY = 1 << 1;
    /** The driver receives into and sends from the UMEM itself; refused (EOPNOTSUPP) by a driver without it. */
    public static final int XDP_ZEROCOPY = 1 << 2;
    /** The rings say when the kernel needs a system call to go on ({@link XdpRing#needsWakeup}). */
    public static final int XDP_USE_NEED_WAKEUP = 1 << 3;

    private SockaddrXdp()
    {
    }

    static void write(final MemorySegment address, final int flags, final int ifIndex, final int queueId)
    {
        address.set(JAVA_SHORT, 0, (short)XdpSocket.AF_XDP);
        address.set(JAVA_SHORT, 2, (short)flags);
        address.set(JAVA_INT, 4, ifIndex);
        address.set(JAVA_INT, 8, queueId);
        address.set(JAVA_INT, 12, 0);
    }
}
