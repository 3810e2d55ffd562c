package io.vplane.blockstore.nbd;

import io.netty.buffer.ByteBuf;

/**
 * One request slot, preallocated per connection and reused: the event loop fills it, a blk worker
 * executes it and gives it back through {@link NbdConnection#complete}. The fields are published
 * to the worker by the queue's release/acquire handoff.
 */
public final class NbdRequest
{
    NbdConnection connection;
    int type;
    int flags;
    long cookie;
    long offset;
    /** Up to 2^32 - 1 for TRIM, WRITE_ZEROES, BLOCK_STATUS; at most 32 MiB for READ and WRITE. */
    long length;
    /** System.nanoTime() when the event loop decoded the request; latency is measured from here. */
    long receivedNs;
    /**
     * WRITE data: the received buffer it sits in, retained for this request (no slice object per
     * request), from {@link #payloadIndex} for {@link #payloadLength()} bytes; released by the
     * executor. The event loop never writes into a buffer that carries payloads.
     */
    ByteBuf payload;
    int payloadIndex;
    /**
     * WRITE data not received yet: the last {@code socketBytes} bytes of the payload are still on
     * the socket, which the event loop lent to the blk worker with this request ({@link SocketSplicer}).
     */
    int socketBytes;
    /** A WRITE the disk failed while its data was still arriving: the error its reply carries. */
    int deferredError;
    /** The reply a worker built, until the event loop writes it; null for a simple reply. */
    ByteBuf reply;
    /** Error of a simple reply (0 for success), encoded by the event loop. */
    int replyError;

    public NbdConnection connection()
    {
        return connection;
    }

    public int type()
    {
        return type;
    }

    public int flags()
    {
        return flags;
    }

    public long cookie()
    {
        return cookie;
    }

    public long offset()
    {
        return offset;
    }

    public long receivedNs()
    {
        return receivedNs;
    }

    public long length()
    {
        return length;
    }

    /** Length of a READ or WRITE, which the decoder bounded to 32 MiB. */
    public int payloadLength()
    {
        return (int)length;
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

    /** WRITE data still on the socket, for the worker to receive with {@link NbdConnection#splicer()}. */
    public int socketBytes()
    {
        return socketBytes;
    }

    public int deferredError()
    {
        return deferredError;
    }

    /** The disk failed this WRITE while data was still to be received: the rest is thrown away, this error replied. */
    public void fail(final int error)
    {
        deferredError = error;
    }

    /** All the data that was on the socket is received. */
    public void socketReceived()
    {
        socketBytes = 0;
    }

    /**
     * The worker stopped waiting for the rest of the data: what is left, {@code remaining} bytes
     * from {@code position}, is now this request, to be received by the event loop.
     */
    public void remainderAt(final long position, final int remaining)
    {
        offset = position;
        length = remaining;
        socketBytes = remaining;
    }

    public boolean hasFlag(final int flag)
    {
        return 0 != (flags & flag);
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
}
