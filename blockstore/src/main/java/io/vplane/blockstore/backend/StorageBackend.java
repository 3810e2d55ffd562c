package io.vplane.blockstore.backend;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.Map;

/**
 * Where a virtual disk keeps its bytes ("storage location → storage system" in the design). Called
 * only from blk workers; calls for different ranges may run on several workers at once.
 */
public interface StorageBackend extends AutoCloseable
{
    /** Outcome of {@link #writeZeroes}: done. */
    int ZEROED = 0;
    /** Outcome of {@link #writeZeroes}: the caller asked for a fast zero and none is possible. */
    int NOT_FAST = 1;

    long sizeBytes();

    /** Fills {@code dst} from {@code offset}; bytes past the end of the stored data read as zero. */
    void read(long offset, ByteBuffer dst) throws IOException;

    /** Writes all of {@code src} at {@code offset}. */
    void write(long offset, ByteBuffer src) throws IOException;

    /**
     * Writes all of {@code srcs}, back to back, from {@code offset}: a payload that arrived in
     * several pieces. Backends that can gather (pwritev) do it in one call; this default writes
     * piece by piece.
     */
    default void write(final long offset, final ByteBuffer[] srcs) throws IOException
    {
        long position = offset;
        for (final ByteBuffer src : srcs)
        {
            final int n = src.remaining();
            write(position, src);
            position += n;
        }
    }

    /**
     * Fills {@code length} bytes of native memory at {@code address} (a direct buffer the caller
     * holds) from {@code offset}, as {@link #read(long, ByteBuffer)}. Backends on a file descriptor
     * read straight into it; this default goes through a ByteBuffer view.
     */
    default void read(final long offset, final long address, final int length) throws IOException
    {
        read(offset, view(address, length));
    }

    /** Writes {@code length} bytes of native memory at {@code address} at {@code offset}, as {@link #write(long, ByteBuffer)}. */
    default void write(final long offset, final long address, final int length) throws IOException
    {
        write(offset, view(address, length));
    }

    @SuppressWarnings("restricted") // native access is enabled for the whole application in bin/jvm.options
    private static ByteBuffer view(final long address, final int length)
    {
        return MemorySegment.ofAddress(address).reinterpret(length).asByteBuffer();
    }

    /**
     * The range's bytes as read-only memory already resident (its pages faulted in on the calling
     * blk worker), for a socket to copy from directly: the data is then copied once, by the send,
     * instead of read into a reply buffer first. The view stays valid while it is reachable; only
     * the kernel should read it (a range the image lost since it was checked reads as EFAULT there).
     *
     * @return the view, or null when this backend or range cannot be mapped (then use {@link #read})
     */
    default MemorySegment residentView(final long offset, final int length) throws IOException
    {
        return null;
    }

    /** Whether {@link #residentView} can answer at all: a file on this host, not a remote server. */
    default boolean hasResidentViews()
    {
        return false;
    }

    /** Whether {@link #writeFromPipe} works: the image is a file on this host. */
    default boolean writesFromPipes()
    {
        return false;
    }

    /**
     * Writes the {@code length} bytes waiting in a pipe at {@code offset}, moving them with
     * splice(2): received socket data reaches the page cache in one copy. On failure the pipe may
     * still hold some of them; the caller empties it.
     */
    default void writeFromPipe(final long offset, final int pipeFd, final int length) throws IOException
    {
        throw new UnsupportedOperationException("this backend does not write from pipes");
    }

    /** Makes every completed write durable, whichever connection made it. */
    void flush() throws IOException;

    /** Advisory: the range's contents are no longer needed (they may read back as anything). */
    void trim(long offset, long length) throws IOException;

    /**
     * Makes the range read back as zeros.
     *
     * @param mayPunch  a hole is acceptable (the client did not send NO_HOLE)
     * @param fastOnly  fail with {@link #NOT_FAST} rather than write zeros byte by byte (FAST_ZERO)
     * @return {@link #ZEROED} or {@link #NOT_FAST}
     */
    int writeZeroes(long offset, long length, boolean mayPunch, boolean fastOnly) throws IOException;

    /** @return the first offset at or after {@code offset} holding data, or {@link #sizeBytes()} if none */
    long nextData(long offset) throws IOException;

    /** @return the first offset at or after {@code offset} in a hole, or {@link #sizeBytes()} if none */
    long nextHole(long offset) throws IOException;

    /**
     * A number that changes whenever data may have become a hole (trim, zeroing). Writes only turn
     * holes into data, so an extent seen as data stays data while this number stays the same.
     */
    long holeGeneration();

    /** What the operator is shown about the storage system behind the disk ({@code ctl disk show}); empty when nothing beyond the image. */
    default Map<String, Object> describe()
    {
        return Map.of();
    }

    @Override
    void close();
}
