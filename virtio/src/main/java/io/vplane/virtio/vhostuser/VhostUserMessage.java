package io.vplane.virtio.vhostuser;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Flyweight over one vhost-user message in native memory, plus the fds that came with it
 * (vhost-user.rst "Message format"). Little-endian, as on the wire of every supported host.
 * <pre>
 *   0                   4                   8                  12
 *   +-------------------+-------------------+-------------------+----------------------+
 *   | request (u32)     | flags (u32)       | size (u32)        | payload (size bytes) |
 *   +-------------------+-------------------+-------------------+----------------------+
 *   flags: bits 0-1 version (1), bit 2 reply, bit 3 need_reply
 *
 *   payloads by request (offsets within the payload):
 *   u64                 0 u64
 *   vring state         0 index u32 | 4 num u32                                     (8 bytes)
 *   vring address       0 index u32 | 4 flags u32 | 8 desc u64 | 16 used u64 |
 *                      24 avail u64 | 32 log u64                                     (40 bytes)
 *   memory table        0 nregions u32 | 4 padding u32 | 8 region[nregions], each:
 *                       0 guest_phys_addr u64 | 8 size u64 | 16 userspace_addr u64 |
 *                      24 mmap_offset u64                                         (32 bytes)
 *   device config       0 offset u32 | 4 size u32 | 8 flags u32 | 12 data[size]
 * </pre>
 * Syntax checks ({@link #hasPayloadSize}) are kept apart from what a message means (the dispatcher).
 */
public final class VhostUserMessage
{
    public static final int HEADER_SIZE = 12;
    public static final int REQUEST_OFFSET = 0;
    public static final int FLAGS_OFFSET = 4;
    public static final int SIZE_OFFSET = 8;

    /** Larger than any message a net frontend sends (the biggest is a 264-byte memory table). */
    public static final int MAX_PAYLOAD_SIZE = 4096;
    /** vhost-user.rst: "VHOST_MEMORY_BASELINE_NREGIONS 8", also the fd limit of one message. */
    public static final int MAX_FDS = 8;

    public static final int VERSION = 0x1;
    public static final int VERSION_MASK = 0x3;
    public static final int FLAG_REPLY = 0x4;
    public static final int FLAG_NEED_REPLY = 0x8;

    public static final int U64_SIZE = 8;
    public static final int VRING_STATE_INDEX_OFFSET = 0;
    public static final int VRING_STATE_NUM_OFFSET = 4;
    public static final int VRING_STATE_SIZE = 8;
    public static final int VRING_ADDR_INDEX_OFFSET = 0;
    public static final int VRING_ADDR_FLAGS_OFFSET = 4;
    public static final int VRING_ADDR_DESC_OFFSET = 8;
    public static final int VRING_ADDR_USED_OFFSET = 16;
    public static final int VRING_ADDR_AVAIL_OFFSET = 24;
    public static final int VRING_ADDR_LOG_OFFSET = 32;
    public static final int VRING_ADDR_SIZE = 40;
    public static final int MEM_NREGIONS_OFFSET = 0;
    public static final int MEM_REGIONS_OFFSET = 8;
    public static final int MEM_REGION_GPA_OFFSET = 0;
    public static final int MEM_REGION_SIZE_OFFSET = 8;
    public static final int MEM_REGION_UADDR_OFFSET = 16;
    public static final int MEM_REGION_MMAP_OFFSET_OFFSET = 24;
    public static final int MEM_REGION_SIZE = 32;
    public static final int CONFIG_OFFSET_OFFSET = 0;
    public static final int CONFIG_SIZE_OFFSET = 4;
    public static final int CONFIG_FLAGS_OFFSET = 8;
    public static final int CONFIG_DATA_OFFSET = 12;
    public static final int CONFIG_MAX_DATA = 256;
    /** vring index and flag bits of the u64 of SET_VRING_KICK/CALL/ERR. */
    public static final long VRING_INDEX_MASK = 0xFF;
    public static final long VRING_NOFD_MASK = 0x100;

    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED;

    private final MemorySegment buffer;
    private final int[] fds = new int[MAX_FDS];
    private int fdCount;

    public VhostUserMessage(final Arena arena)
    {
        this.buffer = arena.allocate(HEADER_SIZE + MAX_PAYLOAD_SIZE, 8);
    }

    /** Header and payload; the connection receives into it and sends from it. */
    public MemorySegment buffer()
    {
        return buffer;
    }

    public int request()
    {
        return buffer.get(U32, REQUEST_OFFSET);
    }

    public int flags()
    {
        return buffer.get(U32, FLAGS_OFFSET);
    }

    public int size()
    {
        return buffer.get(U32, SIZE_OFFSET);
    }

    public boolean needsReply()
    {
        return (flags() & FLAG_NEED_REPLY) != 0;
    }

    public boolean hasValidVersion()
    {
        return (flags() & VERSION_MASK) == VERSION;
    }

    public boolean hasPayloadSize(final int expected)
    {
        return size() == expected;
    }

    public int payloadInt(final int offset)
    {
        return buffer.get(U32, HEADER_SIZE + offset);
    }

    public long payloadLong(final int offset)
    {
        return buffer.get(U64, HEADER_SIZE + offset);
    }

    public byte payloadByte(final int offset)
    {
        return buffer.get(ValueLayout.JAVA_BYTE, HEADER_SIZE + offset);
    }

    public VhostUserMessage header(final int request, final int flags, final int size)
    {
        buffer.set(U32, REQUEST_OFFSET, request);
        buffer.set(U32, FLAGS_OFFSET, flags);
        buffer.set(U32, SIZE_OFFSET, size);
        return this;
    }

    public VhostUserMessage putPayloadInt(final int offset, final int value)
    {
        buffer.set(U32, HEADER_SIZE + offset, value);
        return this;
    }

    public VhostUserMessage putPayloadLong(final int offset, final long value)
    {
        buffer.set(U64, HEADER_SIZE + offset, value);
        return this;
    }

    public VhostUserMessage putPayloadByte(final int offset, final byte value)
    {
        buffer.set(ValueLayout.JAVA_BYTE, HEADER_SIZE + offset, value);
        return this;
    }

    /**
     * Turns the received request into its reply header (flags exactly version | reply: DPDK
     * virtio-user accepts nothing else) with a payload of {@code size} bytes.
     */
    public VhostUserMessage toReply(final int size)
    {
        return header(request(), VERSION | FLAG_REPLY, size);
    }

    public int totalLength()
    {
        return HEADER_SIZE + size();
    }

    public int fdCount()
    {
        return fdCount;
    }

    public int fd(final int i)
    {
        if (i >= fdCount)
        {
            throw new IndexOutOfBoundsException("fd " + i + " of " + fdCount);
        }
        return fds[i];
    }

    /**
     * Hands fd {@code i} over to the caller: the message no longer closes it.
     */
    public int takeFd(final int i)
    {
        final int fd = fd(i);
        fds[i] = -1;
        return fd;
    }

    /** @return false when the message already holds {@link #MAX_FDS} (the fd is not kept) */
    public boolean addFd(final int fd)
    {
        if (fdCount == MAX_FDS)
        {
            return false;
        }
        fds[fdCount++] = fd;
        return true;
    }

    /** Closes every fd the message brought that nobody took, and forgets them. */
    public void closeFds(final java.util.function.IntConsumer closer)
    {
        for (int i = 0; i < fdCount; i++)
        {
            if (fds[i] >= 0)
            {
                closer.accept(fds[i]);
                fds[i] = -1;
            }
        }
        fdCount = 0;
    }

    public void clearFds()
    {
        fdCount = 0;
    }
}
