package io.vplane.engine.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * An AF_XDP socket (Linux 4.18; need-wakeup 5.3) bound to one queue of one interface, with its UMEM
 * and its four rings, set up by {@link #open}: the UMEM (anonymous memory, {@code frames} chunks of
 * {@code frameSize} bytes) registered with XDP_UMEM_REG; the fill and completion rings of the UMEM and
 * the rx and tx rings of the socket sized with setsockopt; their places read with getsockopt
 * XDP_MMAP_OFFSETS and each mapped once; then bind to {@code ifindex}/{@code queue} with
 * XDP_USE_NEED_WAKEUP and the mode asked (XDP_COPY, XDP_ZEROCOPY, or neither: the kernel tries
 * zero copy and falls back to copy). Frames come in through the rx ring once an XDP program
 * redirects them here ({@link XskRedirectProgram}); {@link #kick} (sendto) makes the kernel send what
 * the tx ring holds, {@link #wake} (recvfrom) makes it go on filling the rx ring when the fill ring
 * says it waits for one. The ring methods allocate nothing.
 */
public final class XdpSocket implements AutoCloseable
{
    public static final int AF_XDP = 44;
    static final int SOL_XDP = 283;
    static final int XDP_MMAP_OFFSETS = 1;
    static final int XDP_RX_RING = 2;
    static final int XDP_TX_RING = 3;
    static final int XDP_UMEM_REG = 4;
    static final int XDP_UMEM_FILL_RING = 5;
    static final int XDP_UMEM_COMPLETION_RING = 6;
    static final int XDP_STATISTICS = 7;
    static final int XDP_OPTIONS = 8;
    static final int XDP_OPTIONS_ZEROCOPY = 1;
    static final long XDP_PGOFF_RX_RING = 0;
    static final long XDP_PGOFF_TX_RING = 0x80000000L;
    static final long XDP_UMEM_PGOFF_FILL_RING = 0x100000000L;
    static final long XDP_UMEM_PGOFF_COMPLETION_RING = 0x180000000L;
    /** struct xdp_statistics: six u64 (rx_dropped, rx_invalid_descs, tx_invalid_descs, rx_ring_full, rx_fill_ring_empty_descs, tx_ring_empty_descs). */
    public static final int STATISTICS = 6;
    /**
     * Bytes the kernel leaves before a received frame in its chunk (XDP_PACKET_HEADROOM) on top of
     * the UMEM's own headroom {@code h}: a frame for fill address {@code a} lands at {@code a + h + 256}
     * and may take {@code chunkSize - h - 256} bytes (longer frames are dropped, rx_dropped). In
     * unaligned-chunk mode the rx descriptor then carries {@code a} in its low 48 bits and {@code h + 256}
     * in its high 16 ({@link #unalignedFrameOffset}). The kernel's copy writes only the frame (and XDP
     * metadata right before it, which vplane's program never sets), never the bytes from {@code a} to it.
     */
    public static final int XDP_PACKET_HEADROOM = 256;
    private static final long UNALIGNED_ADDRESS_MASK = (1L << 48) - 1;
    private static final int SOCK_RAW = 3;
    private static final int MAP_POPULATE = 0x8000;
    private static final int MSG_DONTWAIT = 0x40;

    private static final MethodHandle SOCKET = NativeCall.downcall("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle SETSOCKOPT =
        NativeCall.downcall("setsockopt", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle GETSOCKOPT =
        NativeCall.downcall("getsockopt", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle BIND = NativeCall.downcall("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle SENDTO = NativeCall.downcall("sendto",
        FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT));
    private static final MethodHandle RECVFROM = NativeCall.downcall("recvfrom",
        FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG));

    private final int fd;
    private final MemorySegment umem;
    private final MemorySegment[] maps;
    private final XdpRing rx;
    private final XdpRing tx;
    private final XdpRing fill;
    private final XdpRing completion;
    private final boolean zeroCopy;
    /** Whether the UMEM is this socket's own mapping, unmapped on close. */
    private final boolean ownsUmem;
    private final MemorySegment statistics;
    private final MemorySegment statisticsLength;
    private final Arena arena = Arena.ofShared();

    private XdpSocket(final int fd, final MemorySegment umem, final boolean ownsUmem, final MemorySegment[] maps,
        final XdpRing[] rings, final boolean zeroCopy)
    {
        this.ownsUmem = ownsUmem;
        this.fd = fd;
        this.umem = umem;
        this.maps = maps;
        this.rx = rings[0];
        this.tx = rings[1];
        this.fill = rings[2];
        this.completion = rings[3];
        this.zeroCopy = zeroCopy;
        this.statistics = arena.allocate(8L * STATISTICS, 8);
        this.statisticsLength = arena.allocate(8, 8);
    }

    /** Whether this kernel lets this process open an AF_XDP socket; probed once. */
    public static KernelCapability capability()
    {
        return Probe.CAPABILITY;
    }

    /**
     * Opens, sets up and binds a socket.
     *
     * @param frames    UMEM chunks; {@code frames * frameSize} bytes are mapped and pinned
     * @param frameSize chunk bytes, a power of two from 2048 to the page size
     * @param rxSize    entries of the rx and fill rings (a power of two)
     * @param txSize    entries of the tx and completion rings (a power of two)
     * @param bindFlags {@link SockaddrXdp#XDP_COPY}, {@link SockaddrXdp#XDP_ZEROCOPY} or 0 (either);
     *                  {@link SockaddrXdp#XDP_USE_NEED_WAKEUP} is always added
     * @throws IllegalStateException naming the step that failed and its errno
     */
    public static XdpSocket open(final int ifIndex, final int queueId, final int frames, final int frameSize,
        final int rxSize, final int txSize, final int bindFlags)
    {
        final long umemBytes = (long)frames * frameSize;
        final MemorySegment umem = MemoryMap.mmap(umemBytes, MemoryMap.PROT_READ | MemoryMap.PROT_WRITE,
            MemoryMap.MAP_PRIVATE | MemoryMap.MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
        if (MemorySegment.NULL.equals(umem))
        {
            throw new IllegalStateException("mmap of the UMEM (" + umemBytes + " bytes) failed: " + Errno.describe(Errno.last()));
        }
        try
        {
            return open(ifIndex, queueId, umem.reinterpret(umemBytes), frameSize, 0, 0, true, rxSize, txSize, bindFlags);
        }
        catch (final RuntimeException ex)
        {
            MemoryMap.munmap(umem.address(), umemBytes);
            throw ex;
        }
    }

    /**
     * Opens, sets up and binds a socket whose UMEM is memory the caller mapped and keeps mapped
     * until after {@link #close} (the socket does not unmap it). The kernel pins its pages for as long
     * as the socket lives.
     *
     * @param umem      the UMEM: page-aligned, a whole number of pages
     * @param chunkSize bytes the kernel may use from a fill address on (2048 to the page size)
     * @param headroom  the UMEM's own headroom (XDP_UMEM_REG): bytes the kernel skips before the
     *                  {@link #XDP_PACKET_HEADROOM}, shrinking the room a frame may take; below
     *                  {@code chunkSize - 256}
     * @param umemFlags 0, or {@link XdpUmemReg#XDP_UMEM_UNALIGNED_CHUNK_FLAG}: fill addresses may be any
     *                  offset with {@code chunkSize} bytes of UMEM behind it, not only chunk starts
     * @throws IllegalStateException naming the step that failed and its errno
     */
    public static XdpSocket openOver(final int ifIndex, final int queueId, final MemorySegment umem, final int chunkSize,
        final int headroom, final int umemFlags, final int rxSize, final int txSize, final int bindFlags)
    {
        if (headroom < 0 || headroom >= chunkSize - XDP_PACKET_HEADROOM)
        {
            throw new IllegalArgumentException("UMEM headroom " + headroom + " leaves no room in a chunk of " + chunkSize + " bytes");
        }
        return open(ifIndex, queueId, umem, chunkSize, headroom, umemFlags, false, rxSize, txSize, bindFlags);
    }

    /** The UMEM offset a frame of rx descriptor address {@code address} starts at, in unaligned-chunk mode. */
    public static long unalignedFrameOffset(final long address)
    {
        return (address & UNALIGNED_ADDRESS_MASK) + (address >>> 48);
    }

    private static XdpSocket open(final int ifIndex, final int queueId, final MemorySegment umem, final int chunkSize,
        final int headroom, final int umemFlags, final boolean ownsUmem, final int rxSize, final int txSize, final int bindFlags)
    {
        final int fd = socket();
        if (fd < 0)
        {
            throw new IllegalStateException("socket(AF_XDP) failed: " + Errno.describe(-fd) + hint(-fd));
        }
        final MemorySegment[] maps = new MemorySegment[4];
        final long[] mapBytes = new long[4];
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment reg = arena.allocate(XdpUmemReg.SIZE, 8);
            XdpUmemReg.write(reg, umem.address(), umem.byteSize(), chunkSize, headroom, umemFlags);
            check("setsockopt(XDP_UMEM_REG)", setsockopt(fd, XDP_UMEM_REG, reg, XdpUmemReg.SIZE));
            final MemorySegment value = arena.allocate(8, 8);
            check("setsockopt(XDP_UMEM_FILL_RING)", setInt(fd, XDP_UMEM_FILL_RING, rxSize, value));
            check("setsockopt(XDP_UMEM_COMPLETION_RING)", setInt(fd, XDP_UMEM_COMPLETION_RING, txSize, value));
            check("setsockopt(XDP_RX_RING)", setInt(fd, XDP_RX_RING, rxSize, value));
            check("setsockopt(XDP_TX_RING)", setInt(fd, XDP_TX_RING, txSize, value));
            final MemorySegment offsetsStruct = arena.allocate(XdpMmapOffsets.SIZE, 8);
            check("getsockopt(XDP_MMAP_OFFSETS)", getsockopt(fd, XDP_MMAP_OFFSETS, offsetsStruct, XdpMmapOffsets.SIZE, value));
            final XdpMmapOffsets offsets = new XdpMmapOffsets(offsetsStruct);
            final int[] ring = {XdpMmapOffsets.RX, XdpMmapOffsets.TX, XdpMmapOffsets.FILL, XdpMmapOffsets.COMPLETION};
            final int[] sizes = {rxSize, txSize, rxSize, txSize};
            final int[] entry = {XdpRing.DESC_SIZE, XdpRing.DESC_SIZE, XdpRing.ADDRESS_SIZE, XdpRing.ADDRESS_SIZE};
            final long[] pgoff = {XDP_PGOFF_RX_RING, XDP_PGOFF_TX_RING, XDP_UMEM_PGOFF_FILL_RING, XDP_UMEM_PGOFF_COMPLETION_RING};
            final XdpRing[] rings = new XdpRing[4];
            for (int i = 0; i < 4; i++)
            {
                mapBytes[i] = XdpRing.mapBytes(offsets, ring[i], sizes[i], entry[i]);
                final MemorySegment map = MemoryMap.mmap(mapBytes[i], MemoryMap.PROT_READ | MemoryMap.PROT_WRITE,
                    MemoryMap.MAP_SHARED | MAP_POPULATE, fd, pgoff[i]);
                if (MemorySegment.NULL.equals(map))
                {
                    throw new IllegalStateException("mmap of ring " + i + " failed: " + Errno.describe(Errno.last()));
                }
                maps[i] = map.reinterpret(mapBytes[i]);
                rings[i] = new XdpRing(maps[i], offsets, ring[i], sizes[i], entry[i]);
            }
            final MemorySegment address = arena.allocate(SockaddrXdp.SIZE, 8);
            SockaddrXdp.write(address, bindFlags | SockaddrXdp.XDP_USE_NEED_WAKEUP, ifIndex, queueId);
            final int bound = NativeCall.checked((int)BIND.invokeExact(NativeCall.state(), fd, address, SockaddrXdp.SIZE));
            if (bound < 0)
            {
                throw new IllegalStateException("bind to interface " + ifIndex + " queue " + queueId + " failed: " +
                    Errno.describe(-bound) + (bound == -Errno.EOPNOTSUPP && (bindFlags & SockaddrXdp.XDP_ZEROCOPY) != 0
                    ? " (the driver has no zero-copy AF_XDP)" : ""));
            }
            check("getsockopt(XDP_OPTIONS)", getsockopt(fd, XDP_OPTIONS, value, 4, value.asSlice(4)));
            final boolean zeroCopy = (value.get(JAVA_INT, 0) & XDP_OPTIONS_ZEROCOPY) != 0;
            return new XdpSocket(fd, umem, ownsUmem, maps, rings, zeroCopy);
        }
        catch (final Throwable ex)
        {
            for (int i = 0; i < 4; i++)
            {
                if (null != maps[i])
                {
                    MemoryMap.munmap(maps[i].address(), mapBytes[i]);
                }
            }
            FileIo.close(fd);
            if (ex instanceof IllegalStateException state)
            {
                throw state;
            }
            throw NativeCall.failedToCall("AF_XDP set-up", ex);
        }
    }

    private static String hint(final int errno)
    {
        return switch (errno)
        {
            case Errno.EPERM -> " (AF_XDP sockets need CAP_NET_RAW)";
            case Errno.EAFNOSUPPORT -> " (this kernel has no AF_XDP: CONFIG_XDP_SOCKETS)";
            default -> "";
        };
    }

    private static int socket()
    {
        try
        {
            return NativeCall.checked((int)SOCKET.invokeExact(NativeCall.state(), AF_XDP, SOCK_RAW | Sockets.SOCK_CLOEXEC, 0));
        }
        catch (final Throwable ex)
        {
            throw NativeCall.failedToCall("socket", ex);
        }
    }

    private static void check(final String step, final int rc)
    {
        if (rc < 0)
        {
            throw new IllegalStateException(step + " failed: " + Errno.describe(-rc));
        }
    }

    private static int setInt(final int fd, final int option, final int value, final MemorySegment scratch) throws Throwable
    {
        scratch.set(JAVA_INT, 0, value);
        return setsockopt(fd, option, scratch, 4);
    }

    private static int setsockopt(final int fd, final int option, final MemorySegment value, final int length) throws Throwable
    {
        return NativeCall.checked((int)SETSOCKOPT.invokeExact(NativeCall.state(), fd, SOL_XDP, option, value, length));
    }

    private static int getsockopt(final int fd, final int option, final MemorySegment value, final int length,
        final MemorySegment lengthSlot) throws Throwable
    {
        lengthSlot.set(JAVA_INT, 0, length);
        return NativeCall.checked((int)GETSOCKOPT.invokeExact(NativeCall.state(), fd, SOL_XDP, option, value, lengthSlot));
    }

    public int fd()
    {
        return fd;
    }

    /** The UMEM: frame addresses in the rings are offsets into it. */
    public MemorySegment umem()
    {
        return umem;
    }

    /** Whether the driver receives into and sends from the UMEM itself (else the kernel copies). */
    public boolean zeroCopy()
    {
        return zeroCopy;
    }

    public XdpRing rx()
    {
        return rx;
    }

    public XdpRing tx()
    {
        return tx;
    }

    public XdpRing fill()
    {
        return fill;
    }

    public XdpRing completion()
    {
        return completion;
    }

    /** Makes the kernel send what the tx ring holds (in copy mode, a batch per call). @return 0 or {@code -errno} */
    public int kick()
    {
        try
        {
            return (int)NativeCall.checked((long)SENDTO.invokeExact(NativeCall.state(), fd, 0L, 0L, MSG_DONTWAIT, 0L, 0));
        }
        catch (final Throwable ex)
        {
            throw NativeCall.failedToCall("sendto", ex);
        }
    }

    /** Makes the kernel go on receiving after the fill ring ran dry. @return 0 or {@code -errno} */
    public int wake()
    {
        try
        {
            return (int)NativeCall.checked((long)RECVFROM.invokeExact(NativeCall.state(), fd, 0L, 0L, MSG_DONTWAIT, 0L, 0L));
        }
        catch (final Throwable ex)
        {
            throw NativeCall.failedToCall("recvfrom", ex);
        }
    }

    /**
     * The kernel's counters of this socket (getsockopt XDP_STATISTICS) into {@code into}, in the order
     * of struct xdp_statistics. Control path: for stats and logs, not per burst.
     *
     * @return 0 or {@code -errno}
     */
    public synchronized int statistics(final long[] into)
    {
        try
        {
            final int rc = getsockopt(fd, XDP_STATISTICS, statistics, 8 * STATISTICS, statisticsLength);
            if (rc == 0)
            {
                final int got = statisticsLength.get(JAVA_INT, 0) / 8;
                for (int i = 0; i < into.length; i++)
                {
                    into[i] = i < got ? statistics.get(JAVA_LONG, 8L * i) : 0;
                }
            }
            return rc;
        }
        catch (final Throwable ex)
        {
            throw NativeCall.failedToCall("getsockopt", ex);
        }
    }

    @Override
    public void close()
    {
        FileIo.close(fd);
        for (int i = 0; i < 4; i++)
        {
            MemoryMap.munmap(maps[i].address(), maps[i].byteSize());
        }
        if (ownsUmem)
        {
            MemoryMap.munmap(umem.address(), umem.byteSize());
        }
        arena.close();
    }

    private static final class Probe
    {
        static final KernelCapability CAPABILITY = probe();

        private static KernelCapability probe()
        {
            final String name = "AF_XDP sockets";
            final int fd = socket();
            if (fd < 0)
            {
                return KernelCapability.missing(name, "socket(AF_XDP) failed: " + Errno.describe(-fd) + hint(-fd));
            }
            FileIo.close(fd);
            return KernelCapability.available(name);
        }
    }
}
