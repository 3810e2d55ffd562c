package io.vplane.blockstore.device;

import io.vplane.blockstore.backend.StorageBackend;

import java.nio.ByteBuffer;

/** Counts what it is asked to zero; reads as zeros. */
class RecordingBackend implements StorageBackend
{
    long largestZeroing;
    long zeroed;

    @Override
    public long sizeBytes()
    {
        return 8L << 30;
    }

    @Override
    public void read(final long offset, final ByteBuffer dst)
    {
        while (dst.hasRemaining())
        {
            dst.put((byte)0);
        }
    }

    @Override
    public void write(final long offset, final ByteBuffer src)
    {
        src.position(src.limit());
    }

    @Override
    public void flush()
    {
    }

    @Override
    public void trim(final long offset, final long length)
    {
    }

    @Override
    public int writeZeroes(final long offset, final long length, final boolean mayPunch, final boolean fastOnly)
    {
        largestZeroing = Math.max(largestZeroing, length);
        zeroed += length;
        return ZEROED;
    }

    @Override
    public long nextData(final long offset)
    {
        return offset;
    }

    @Override
    public long nextHole(final long offset)
    {
        return sizeBytes();
    }

    @Override
    public long holeGeneration()
    {
        return 0;
    }

    @Override
    public void close()
    {
    }
}
