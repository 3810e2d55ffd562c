package io.vplane.blockstore.device;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.vplane.blockstore.backend.StorageBackend;

import java.io.IOException;

/** A READ reply in one pooled buffer: headers and data read (pread) straight behind them. */
final class CopiedReadReply implements ReadReply
{
    private final StorageBackend backend;
    private ByteBuf reply;

    CopiedReadReply(final StorageBackend backend)
    {
        this.backend = backend;
    }

    @Override
    public void begin(final ByteBufAllocator alloc, final int dataBytes, final int maxSegments, final int headerBytes)
    {
        reply = alloc.directBuffer(dataBytes + headerBytes * maxSegments);
    }

    @Override
    public ByteBuf headers()
    {
        return reply;
    }

    @Override
    public void data(final long offset, final int length) throws IOException
    {
        readInto(backend, reply, offset, length);
    }

    /** Reads straight into the buffer's memory after what it holds and advances its writer index. */
    static void readInto(final StorageBackend backend, final ByteBuf buffer, final long offset, final int length)
        throws IOException
    {
        final int at = buffer.writerIndex();
        if (buffer.hasMemoryAddress())
        {
            backend.read(offset, buffer.memoryAddress() + at, length);
        }
        else
        {
            backend.read(offset, buffer.internalNioBuffer(at, length));
        }
        buffer.writerIndex(at + length);
    }

    @Override
    public ByteBuf finish()
    {
        final ByteBuf done = reply;
        reply = null;
        return done;
    }

    @Override
    public void discard()
    {
        if (null != reply)
        {
            reply.release();
            reply = null;
        }
    }
}
