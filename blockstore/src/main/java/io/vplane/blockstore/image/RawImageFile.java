package io.vplane.blockstore.image;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/** A raw image read as it is (a backing file of a qcow2 image): the disk's size is the file's. */
public final class RawImageFile implements ImageFile
{
    private final Path path;
    private final FileChannel file;
    private final long sizeBytes;

    RawImageFile(final Path path, final FileChannel file) throws IOException
    {
        this.path = path;
        this.file = file;
        this.sizeBytes = file.size();
    }

    @Override
    public long sizeBytes()
    {
        return sizeBytes;
    }

    @Override
    public void read(final long offset, final ByteBuffer dst) throws IOException
    {
        long at = offset;
        while (dst.hasRemaining())
        {
            final int n = at >= sizeBytes ? -1 : file.read(dst, at);
            if (n < 0)
            {
                Qcow2Image.zero(dst, dst.remaining());
                return;
            }
            at += n;
        }
    }

    @Override
    public String describe()
    {
        return "raw " + path;
    }

    @Override
    public void close()
    {
        try
        {
            file.close();
        }
        catch (final IOException ex)
        {
            // read-only: nothing is lost
        }
    }
}
