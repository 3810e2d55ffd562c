package io.vplane.blockstore.backend;

/**
 * A backend that reports its whole disk as data (block status, reads without holes): one whose
 * holes it cannot or need not tell, such as an image of another format or one being converted.
 */
public interface AllDataExtents extends StorageBackend
{
    @Override
    default long nextData(final long offset)
    {
        return Math.min(offset, sizeBytes());
    }

    @Override
    default long nextHole(final long offset)
    {
        return sizeBytes();
    }

    /** No extent ever becomes a hole. */
    @Override
    default long holeGeneration()
    {
        return 0;
    }
}
