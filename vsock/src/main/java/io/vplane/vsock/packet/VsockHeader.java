package io.vplane.vsock.packet;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Flyweight over the header every virtio-vsock packet starts with (virtio 1.2 §5.10.6), little-endian:
 * <pre>
 *   0          8          16         20         24      28     30     32       36          40        44
 *   +----------+----------+----------+----------+-------+------+------+--------+-----------+---------+
 *   | src_cid  | dst_cid  | src_port | dst_port | len   | type | op   | flags  | buf_alloc | fwd_cnt |
 *   | u64      | u64      | u32      | u32      | u32   | u16  | u16  | u32    | u32       | u32     |
 *   +----------+----------+----------+----------+-------+------+------+--------+-----------+---------+
 * </pre>
 * It lives in a scratch segment of its own: a driver may split the header over descriptors, so the
 * device gathers it from a chain (and scatters it back) rather than reading guest memory in place.
 * {@link #isValid} checks syntax only; what a packet means is the connection's business.
 */
public final class VsockHeader
{
    public static final int SIZE = 44;
    public static final int SRC_CID_OFFSET = 0;
    public static final int DST_CID_OFFSET = 8;
    public static final int SRC_PORT_OFFSET = 16;
    public static final int DST_PORT_OFFSET = 20;
    public static final int LEN_OFFSET = 24;
    public static final int TYPE_OFFSET = 28;
    public static final int OP_OFFSET = 30;
    public static final int FLAGS_OFFSET = 32;
    public static final int BUF_ALLOC_OFFSET = 36;
    public static final int FWD_CNT_OFFSET = 40;

    /** §5.10.4: the host's CID; the guest's comes from the config space. */
    public static final long HOST_CID = 2;
    /** §5.10.6: stream sockets; seqpacket (2) only with VIRTIO_VSOCK_F_SEQPACKET, not offered. */
    public static final int TYPE_STREAM = 1;
    /** Linux VIRTIO_VSOCK_MAX_PKT_BUF_SIZE: no driver sends a larger payload. */
    public static final int MAX_PAYLOAD = 64 * 1024;

    public static final int OP_INVALID = 0;
    public static final int OP_REQUEST = 1;
    public static final int OP_RESPONSE = 2;
    public static final int OP_RST = 3;
    public static final int OP_SHUTDOWN = 4;
    public static final int OP_RW = 5;
    public static final int OP_CREDIT_UPDATE = 6;
    public static final int OP_CREDIT_REQUEST = 7;

    /** SHUTDOWN flags: the sender will receive no more, send no more. */
    public static final int SHUTDOWN_RCV = 1;
    public static final int SHUTDOWN_SEND = 2;
    public static final int SHUTDOWN_BOTH = SHUTDOWN_RCV | SHUTDOWN_SEND;

    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED;
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED;

    private final MemorySegment buffer;

    public VsockHeader(final Arena arena)
    {
        this.buffer = arena.allocate(SIZE, 8);
    }

    /** The header's bytes, to gather into and scatter from. */
    public MemorySegment buffer()
    {
        return buffer;
    }

    public long srcCid()
    {
        return buffer.get(U64, SRC_CID_OFFSET);
    }

    public long dstCid()
    {
        return buffer.get(U64, DST_CID_OFFSET);
    }

    public int srcPort()
    {
        return buffer.get(U32, SRC_PORT_OFFSET);
    }

    public int dstPort()
    {
        return buffer.get(U32, DST_PORT_OFFSET);
    }

    /** Payload bytes, unsigned; compare as a long. */
    public long len()
    {
        return buffer.get(U32, LEN_OFFSET) & 0xFFFF_FFFFL;
    }

    public int type()
    {
        return buffer.get(U16, TYPE_OFFSET) & 0xFFFF;
    }

    public int op()
    {
        return buffer.get(U16, OP_OFFSET) & 0xFFFF;
    }

    public int flags()
    {
        return buffer.get(U32, FLAGS_OFFSET);
    }

    public int bufAlloc()
    {
        return buffer.get(U32, BUF_ALLOC_OFFSET);
    }

    public int fwdCnt()
    {
        return buffer.get(U32, FWD_CNT_OFFSET);
    }

    /**
     * Syntax: a stream packet whose length fits the bytes that came after the header and the
     * largest payload a driver sends, with a known op.
     *
     * @param payloadBytes bytes of the chain after the header
     */
    public boolean isValid(final long payloadBytes)
    {
        final int op = op();
        return type() == TYPE_STREAM && len() <= payloadBytes && len() <= MAX_PAYLOAD &&
            op >= OP_REQUEST && op <= OP_CREDIT_REQUEST && (op == OP_RW || len() == 0);
    }

    /** Writes a whole header (for the device's own packets). */
    public VsockHeader set(
        final long srcCid,
        final long dstCid,
        final int srcPort,
        final int dstPort,
        final int len,
        final int op,
        final int flags,
        final int bufAlloc,
        final int fwdCnt)
    {
        buffer.set(U64, SRC_CID_OFFSET, srcCid);
        buffer.set(U64, DST_CID_OFFSET, dstCid);
        buffer.set(U32, SRC_PORT_OFFSET, srcPort);
        buffer.set(U32, DST_PORT_OFFSET, dstPort);
        buffer.set(U32, LEN_OFFSET, len);
        buffer.set(U16, TYPE_OFFSET, (short)TYPE_STREAM);
        buffer.set(U16, OP_OFFSET, (short)op);
        buffer.set(U32, FLAGS_OFFSET, flags);
        buffer.set(U32, BUF_ALLOC_OFFSET, bufAlloc);
        buffer.set(U32, FWD_CNT_OFFSET, fwdCnt);
        return this;
    }

    /** Sets the payload length of a header already {@link #set}. */
    public void len(final int len)
    {
        buffer.set(U32, LEN_OFFSET, len);
    }

    public static String opName(final int op)
    {
        return switch (op)
        {
            case OP_REQUEST -> "REQUEST";
            case OP_RESPONSE -> "RESPONSE";
            case OP_RST -> "RST";
            case OP_SHUTDOWN -> "SHUTDOWN";
            case OP_RW -> "RW";
            case OP_CREDIT_UPDATE -> "CREDIT_UPDATE";
            case OP_CREDIT_REQUEST -> "CREDIT_REQUEST";
            default -> "op " + op;
        };
    }
}
