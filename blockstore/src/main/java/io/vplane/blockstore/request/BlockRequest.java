package io.vplane.blockstore.request;

import io.netty.buffer.ByteBuf;

/**
 * One block request, protocol-neutral. Entries are preallocated by each front end (a fixed set per
 * connection) and reused, so the data path allocates nothing per request: the front end fills one
 * with {@link #set}, a disk queue carries it to a blk worker, which runs it against the backend and
 * gives it back through {@link BlockOrigin#complete}. The fields are published to the worker by the
 * queue's release/acquire hand-off, and back by the origin's.
 */
public final class BlockRequest
{
    private final BlockOrigin origin;
    private BlockOp op;
    private int flags;
    /** The front end's own name for the request (the NBD cookie); the disk never reads it. */
    private long tag;
    private long offset;
    /** Up to 2^32 - 1 for TRIM, WRITE_ZEROES, BLOCK_STATUS; READ and WRITE are bounded by the front end. */
    private long length;
    /** System.nanoTime() when the front end decoded the request; latency is measured from here. */
    private long receivedNs;
    /**
     * WRITE data: the received buffer it sits in, retained for this request (no slice object per
     * request), from {@link #payloadIndex} for {@link #bufferedLength()} bytes; released by the
     * worker. The front end never writes into a buffer that carries payloads.
     */
    private ByteBuf payload;
    private int payloadIndex;
    /**
     * WRITE data not received yet: the last {@code socketBytes} bytes are still on the front end's
     * socket, lent to the worker with this request ({@link SocketSplicer}).
     */
    private int socketBytes;
    /** A WRITE the disk failed while its data was still arriving: the error it completes with. */
    private BlockError deferredError = BlockError.NONE;
    /** The reply the worker built whole (READ, BLOCK_STATUS), until the front end sends it; else null. */
    private ByteBuf reply;
    private BlockError error = BlockError.NONE;
    /** Bytes the front end counts against its own memory budget for this request; the disk never reads it. */
    private int budgetBytes;

    public BlockRequest(final BlockOrigin origin)
    {
        this.origin = origin;
    }

    /** Fills the entry for a new request; its payload, if any, follows with {@link #payload(ByteBuf, int, int)}. */
    public BlockRequest set(
        final BlockOp op, final int flags, final long tag, final long offset, final long length, final long receivedNs)
    {
        this.op = op;
        this.flags = flags;
        this.tag = tag;
        this.offset = offset;
        this.length = length;
        this.receivedNs = receivedNs;
        this.payload = null;
        this.payloadIndex = 0;
        this.socketBytes = 0;
        this.deferredError = BlockError.NONE;
        this.reply = null;
        this.error = BlockError.NONE;
        this.budgetBytes = 0;
        return this;
    }

    /** The front end's own accounting: data bytes it holds or will hold for this request. */
    public void budgetBytes(final int bytes)
    {
        budgetBytes = bytes;
    }

    public int budgetBytes()
    {
        return budgetBytes;
    }

    /**
     * WRITE data in {@code buffer} (retained by the caller for this request) from {@code index};
     * the last {@code onSocket} bytes of it are still on the socket.
     */
    public void payload(final ByteBuf buffer, final int index, final int onSocket)
    {
        payload = buffer;
        payloadIndex = index;
        socketBytes = onSocket;
    }

    public BlockOrigin origin()
    {
        return origin;
    }

    public BlockOp op()
    {
        return op;
    }

    public int flags()
    {
        return flags;
    }

    public boolean hasFlag(final int flag)
    {
        return 0 != (flags & flag);
    }

    public long tag()
    {
        return tag;
    }

    public long offset()
    {
        return offset;
    }

    public long length()
    {
        return length;
    }

    /** Length of a READ or WRITE, which the front end bounded to an int. */
    public int payloadLength()
    {
        return (int)length;
    }

    public long receivedNs()
    {
        return receivedNs;
    }

    /** The buffer holding a WRITE's data; the data is at {@link #payloadIndex()}, not at its reader index. */
    public ByteBuf payload()
    {
        return payload;
    }

    public int payloadIndex()
    {
        return payloadIndex;
    }

    /** WRITE data in {@link #payload()}: all of it, or the part that came with the header. */
    public int bufferedLength()
    {
        return (int)length - socketBytes;
    }

    /** WRITE data still on the socket, for the worker to receive with {@link BlockOrigin#splicer()}. */
    public int socketBytes()
    {
        return socketBytes;
    }

    public BlockError deferredError()
    {
        return deferredError;
    }

    /** The disk failed this WRITE while data was still to be received: the rest is thrown away, this error replied. */
    public void fail(final BlockError failure)
    {
        deferredError = failure;
    }

    /** All the data that was on the socket is received. */
    public void socketReceived()
    {
        socketBytes = 0;
    }

    /**
     * The worker stopped waiting for the rest of the data: what is left, {@code remaining} bytes
     * from {@code position}, is now this request, to be received by the front end.
     */
    public void remainderAt(final long position, final int remaining)
    {
        offset = position;
        length = remaining;
        socketBytes = remaining;
    }

    /**
     * The first {@code bytes} of the range are done: the request is now the rest of it. A long
     * WRITE_ZEROES or TRIM is run a slice at a time, between other requests.
     */
    public void skip(final long bytes)
    {
        offset += bytes;
        length -= bytes;
    }

    /** Releases the payload once the data is on disk (or the request is abandoned). */
    public void releasePayload()
    {
        if (null != payload)
        {
            payload.release();
            payload = null;
        }
    }

    /** The worker's outcome: {@code built} is the whole reply (or null), {@code outcome} the error. */
    public void completeWith(final ByteBuf built, final BlockError outcome)
    {
        reply = built;
        error = outcome;
    }

    public ByteBuf reply()
    {
        return reply;
    }

    /** Hands the built reply over to the caller, which now owns it. */
    public ByteBuf takeReply()
    {
        final ByteBuf taken = reply;
        reply = null;
        return taken;
    }

    public BlockError error()
    {
        return error;
    }
}
