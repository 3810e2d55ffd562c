package io.vplane.blockstore.image;

import io.vplane.blockstore.backend.AllDataExtents;
import io.vplane.engine.errors.ErrorLog;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;

/**
 * A disk served read-only from an image in a format of its own ({@code image: qcow2:PATH}). Reads
 * that meet corrupt metadata fail alone with EIO, counted under
 * {@code vplane_errors_total{component="qcow2",error="corrupt"}} with one log line per window.
 */
public final class ImageBackend implements AllDataExtents
{
    private final String disk;
    private final ImageFile image;
    private final ErrorLog errors;

    public ImageBackend(final String disk, final ImageFile image, final ErrorLog errors)
    {
        this.disk = disk;
        this.image = image;
        this.errors = errors;
    }

    public ImageFile image()
    {
        return image;
    }

    @Override
    public long sizeBytes()
    {
        return image.sizeBytes();
    }

    @Override
    public void read(final long offset, final ByteBuffer dst) throws IOException
    {
        readCounted(disk, image, errors, offset, dst);
    }

    /** Reads from {@code image}, counting and logging corrupt metadata before the request fails. */
    public static void readCounted(final String disk, final ImageFile image, final ErrorLog errors, final long offset,
        final ByteBuffer dst) throws IOException
    {
        try
        {
            image.read(offset, dst);
        }
        catch (final ImageCorruptException ex)
        {
            errors.record("qcow2", "corrupt", "disk " + disk + ": " + ex.getMessage());
            throw ex;
        }
    }

    @Override
    public void write(final long offset, final ByteBuffer src) throws IOException
    {
        throw readOnly();
    }

    @Override
    public void flush()
    {
        // nothing is ever written
    }

    @Override
    public void trim(final long offset, final long length)
    {
        // advisory, and the image is read-only
    }

    @Override
    public int writeZeroes(final long offset, final long length, final boolean mayPunch, final boolean fastOnly) throws IOException
    {
        throw readOnly();
    }




    @Override
    public Map<String, Object> describe()
    {
        return Map.of("format", image.describe());
    }

    private IOException readOnly()
    {
        return new IOException("disk " + disk + " is served read-only from " + image.describe());
    }

    @Override
    public void close()
    {
        image.close();
    }
}
