package io.vplane.blockstore.convert;

import io.vplane.blockstore.backend.AllDataExtents;
import io.vplane.blockstore.backend.StorageBackend;
import io.vplane.blockstore.image.ImageBackend;
import io.vplane.blockstore.image.ImageFile;
import io.vplane.engine.errors.ErrorLog;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A disk during its conversion: chunks the {@link ConversionMap} marks are read from the target,
 * the others from the source image. Writes go to the target only: a write into an unmarked chunk
 * first copies the rest of that chunk from the source (unless it covers the whole chunk), then
 * marks it, so the copier never puts the source's stale bytes over it. Per chunk, the check and the
 * copy are serialized by a lock stripe; a marked chunk is read and written with no lock. Flush
 * makes the target durable and then saves the map. The copier ({@link ChunkCopier}) runs beside
 * the workers and is stopped when this backend is closed.
 */
public final class ConvertingBackend implements AllDataExtents
{
    private static final int STRIPES = 256;

    private final String disk;
    private final ImageFile source;
    private final StorageBackend target;
    private final ConversionMap map;
    private final ErrorLog errors;
    private final Object[] stripes = new Object[STRIPES];
    private final ThreadLocal<ByteBuffer> chunkBuffers;
    /** Chunks the VM's writes reached before the copier did. */
    private final AtomicLong chunksWrittenFirst = new AtomicLong();
    private final ChunkCopier copier;
    /** One chunk of zeros, compared against to find chunks of zeros. */
    private final MemorySegment zeros;

    public ConvertingBackend(final String disk, final ImageFile source, final StorageBackend target, final ConversionMap map,
        final ErrorLog errors, final long rateBytesPerSec)
    {
        if (source.sizeBytes() != map.sizeBytes() || target.sizeBytes() != map.sizeBytes())
        {
            throw new IllegalArgumentException("disk " + disk + ": source " + source.describe() + " holds " + source.sizeBytes() +
                " bytes, the target " + target.sizeBytes() + " and the map " + map.sizeBytes() + "; they must be equal");
        }
        this.disk = disk;
        this.source = source;
        this.target = target;
        this.map = map;
        this.errors = errors;
        for (int i = 0; i < STRIPES; i++)
        {
            stripes[i] = new Object();
        }
        final int chunkBytes = map.chunkBytes();
        this.chunkBuffers = ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(chunkBytes));
        this.copier = new ChunkCopier(disk, this, errors, rateBytesPerSec);
        this.zeros = Arena.ofAuto().allocate(chunkBytes);
    }

    public ConversionMap map()
    {
        return map;
    }

    public ChunkCopier copier()
    {
        return copier;
    }

    public ImageFile source()
    {
        return source;
    }

    @Override
    public long sizeBytes()
    {
        return map.sizeBytes();
    }

    @Override
    public void read(final long offset, final ByteBuffer dst) throws IOException
    {
        final int end = dst.limit();
        long position = offset;
        while (dst.position() < end)
        {
            final int chunk = chunkOf(position);
            final int n = (int)Math.min(end - dst.position(), chunkEnd(chunk) - position);
            final ByteBuffer piece = dst.slice(dst.position(), n);
            if (map.done(chunk))
            {
                target.read(position, piece);
            }
            else
            {
                ImageBackend.readCounted(disk, source, errors, position, piece);
            }
            dst.position(dst.position() + n);
            position += n;
        }
    }

    @Override
    public void write(final long offset, final ByteBuffer src) throws IOException
    {
        long position = offset;
        while (src.hasRemaining())
        {
            final int chunk = chunkOf(position);
            final long chunkStart = (long)chunk * map.chunkBytes();
            final int n = (int)Math.min(src.remaining(), chunkEnd(chunk) - position);
            final ByteBuffer piece = src.slice(src.position(), n);
            if (map.done(chunk))
            {
                target.write(position, piece);
            }
            else
            {
                synchronized (stripe(chunk))
                {
                    if (!map.done(chunk))
                    {
                        if (position != chunkStart || n != chunkEnd(chunk) - chunkStart)
                        {
                            copyChunk(chunk, chunkBuffers.get());
                        }
                        chunksWrittenFirst.incrementAndGet();
                    }
                    target.write(position, piece);
                    map.markDone(chunk);
                }
            }
            src.position(src.position() + n);
            position += n;
        }
    }

    @Override
    public void flush() throws IOException
    {
        map.save(target::flush);
    }

    /** Advisory: passed to the target for chunks it holds; the others are still the source's. */
    @Override
    public void trim(final long offset, final long length) throws IOException
    {
        final long end = offset + length;
        for (long position = offset; position < end; )
        {
            final int chunk = chunkOf(position);
            final long n = Math.min(end, chunkEnd(chunk)) - position;
            if (map.done(chunk))
            {
                target.trim(position, n);
            }
            position += n;
        }
    }

    @Override
    public int writeZeroes(final long offset, final long length, final boolean mayPunch, final boolean fastOnly) throws IOException
    {
        final long end = offset + length;
        for (long position = offset; position < end; )
        {
            final int chunk = chunkOf(position);
            final long chunkStart = (long)chunk * map.chunkBytes();
            final long n = Math.min(end, chunkEnd(chunk)) - position;
            int outcome;
            if (map.done(chunk))
            {
                outcome = target.writeZeroes(position, n, mayPunch, fastOnly);
            }
            else
            {
                synchronized (stripe(chunk))
                {
                    if (!map.done(chunk) && (position != chunkStart || n != chunkEnd(chunk) - chunkStart))
                    {
                        copyChunk(chunk, chunkBuffers.get());
                    }
                    outcome = target.writeZeroes(position, n, mayPunch, fastOnly);
                    if (ZEROED == outcome && !map.done(chunk))
                    {
                        chunksWrittenFirst.incrementAndGet();
                        map.markDone(chunk);
                    }
                }
            }
            if (ZEROED != outcome)
            {
                return outcome;
            }
            position += n;
        }
        return ZEROED;
    }

    /**
     * Copies one chunk from the source to the target and marks it, unless it is marked already
     * (the copier's step; also the fill before a partial write).
     *
     * @param buffer direct, at least one chunk
     * @return the bytes copied, 0 if the chunk was done
     */
    int copyIfNotDone(final int chunk, final ByteBuffer buffer) throws IOException
    {
        if (map.done(chunk))
        {
            return 0;
        }
        synchronized (stripe(chunk))
        {
            if (map.done(chunk))
            {
                return 0;
            }
            final int n = copyChunk(chunk, buffer);
            map.markDone(chunk);
            return n;
        }
    }

    /** Under the chunk's stripe: source to target, the whole chunk. */
    private int copyChunk(final int chunk, final ByteBuffer buffer) throws IOException
    {
        final long start = (long)chunk * map.chunkBytes();
        final int n = (int)(chunkEnd(chunk) - start);
        buffer.clear().limit(n);
        ImageBackend.readCounted(disk, source, errors, start, buffer);
        buffer.flip();
        if (allZero(buffer, n))
        {
            // Unallocated and zero clusters stay holes in the target, as qemu-img convert leaves them.
            target.writeZeroes(start, n, true, false);
        }
        else
        {
            target.write(start, buffer);
        }
        return n;
    }

    private boolean allZero(final ByteBuffer buffer, final int length)
    {
        return -1 == MemorySegment.ofBuffer(buffer).asSlice(0, length).mismatch(zeros.asSlice(0, length));
    }

    private int chunkOf(final long position)
    {
        return (int)(position / map.chunkBytes());
    }

    private long chunkEnd(final int chunk)
    {
        return Math.min((long)(chunk + 1) * map.chunkBytes(), map.sizeBytes());
    }

    private Object stripe(final int chunk)
    {
        return stripes[chunk & (STRIPES - 1)];
    }




    /** Chunks the VM wrote before the copier reached them. */
    public long chunksWrittenFirst()
    {
        return chunksWrittenFirst.get();
    }

    @Override
    public Map<String, Object> describe()
    {
        final Map<String, Object> view = new LinkedHashMap<>();
        view.put("conversion", copier.progress());
        final Map<String, Object> targetView = target.describe();
        if (!targetView.isEmpty())
        {
            view.put("target", targetView);
        }
        return view;
    }

    /** Stops the copier, saves the map (best effort) and closes source and target. */
    @Override
    public void close()
    {
        copier.stop();
        try
        {
            flush();
        }
        catch (final IOException | RuntimeException ex)
        {
            errors.record("convert", "map", "disk " + disk + ": saving the conversion map at close failed: " + ex.getMessage());
        }
        source.close();
        target.close();
    }
}
