package io.vplane.blockstore.image;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A read-only disk image in some format: what the guest sees as its disk, byte by byte. Safe to
 * read from several threads at once.
 */
public interface ImageFile extends AutoCloseable
{
    /** The virtual disk's size. */
    long sizeBytes();

    /**
     * Fills {@code dst} (position to limit) with the disk's bytes from {@code offset}; bytes past the
     * end read as zero.
     *
     * @throws ImageCorruptException when the image's metadata for this range is out of bounds
     */
    void read(long offset, ByteBuffer dst) throws IOException;

    /** One line naming the format, the file and its backing chain. */
    String describe();

    @Override
    void close();
}
