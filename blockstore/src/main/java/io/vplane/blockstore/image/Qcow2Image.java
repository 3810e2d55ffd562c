package io.vplane.blockstore.image;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * A qcow2 image read through its L1 and L2 tables (qemu docs/interop/qcow2.txt "Cluster mapping").
 * The L1 table is read whole at open (its size checked by {@link Qcow2Header}); L2 tables are read
 * on first use and kept in a small cache bounded in bytes. Every L2 table and cluster offset is
 * checked against the file before it is read: a bad one fails that read with
 * {@link ImageCorruptException}. Unallocated clusters read from the backing image, or as zeros.
 */
public final class Qcow2Image implements ImageFile
{
    /** L1 entry bits 9-55: the L2 table's offset. */
    private static final long L1_OFFSET_MASK = 0x00fffffffffffe00L;
    /** Standard L2 entry bits 9-55: the data cluster's offset. */
    private static final long L2_OFFSET_MASK = 0x00fffffffffffe00L;
    private static final long L2_COMPRESSED = 1L << 62;
    /** v3: bit 0 says the cluster reads as zeros. */
    private static final long L2_ZERO = 1;
    /** Bits 1-8 and 56-61 of a standard entry are reserved and must be zero. */
    private static final long L2_RESERVED = 0x3f000000000001feL;
    /** Memory the L2 cache may hold, whatever the cluster size. */
    private static final long L2_CACHE_BYTES = 16L << 20;
    private static final byte[] ZEROS = new byte[64 << 10];

    private final Path path;
    private final FileChannel file;
    private final long fileSize;
    private final Qcow2Header header;
    private final long[] l1;
    private final ImageFile backing;
    private final long clusterMask;
    private final int l2Bits;
    private final AtomicReferenceArray<L2Table> l2Cache;
    /** Compressed clusters: host offset bits 0..x-1, extra 512-byte sectors in bits x..61. */
    private final int compressedOffsetBits;
    private final ThreadLocal<Decompressor> decompressors;

    private Qcow2Image(final Path path, final FileChannel file, final long fileSize, final Qcow2Header header, final long[] l1,
        final ImageFile backing)
    {
        this.path = path;
        this.file = file;
        this.fileSize = fileSize;
        this.header = header;
        this.l1 = l1;
        this.backing = backing;
        this.clusterMask = header.clusterBytes() - 1;
        this.l2Bits = header.clusterBits() - 3;
        this.l2Cache = new AtomicReferenceArray<>((int)Math.max(4, Math.min(1024, L2_CACHE_BYTES / header.clusterBytes())));
        this.compressedOffsetBits = 62 - (header.clusterBits() - 8);
        final int clusterBytes = (int)header.clusterBytes();
        this.decompressors = ThreadLocal.withInitial(() -> new Decompressor(clusterBytes));
    }

    /**
     * Reads the header and the L1 table of an open file. On failure the caller closes {@code file}
     * and {@code backing}.
     *
     * @param backingOpener opens the backing image the header names, or refuses it
     */
    static Qcow2Image open(final Path path, final FileChannel file, final BackingOpener backingOpener) throws IOException
    {
        final long fileSize = file.size();
        final ByteBuffer fixed = ByteBuffer.allocate((int)Math.min(fileSize, Qcow2Header.FIXED_BYTES));
        readFully(file, fixed, 0);
        final int clusterBits = Qcow2Header.clusterBitsOf(fixed.flip());
        // Bound the first read before the header is checked: the cluster size is checked in parse.
        final int headBytes = (int)Math.min(fileSize, 1L << Math.clamp(clusterBits, Qcow2Header.MIN_CLUSTER_BITS,
            Qcow2Header.MAX_CLUSTER_BITS));
        final ByteBuffer head = ByteBuffer.allocate(headBytes);
        readFully(file, head, 0);
        final Qcow2Header header = Qcow2Header.parse(head.flip(), fileSize);
        final ByteBuffer l1Bytes = ByteBuffer.allocate(header.l1Entries() * 8).order(ByteOrder.BIG_ENDIAN);
        readFully(file, l1Bytes, header.l1Offset());
        final long[] l1 = new long[header.l1Entries()];
        l1Bytes.flip().asLongBuffer().get(l1);
        final ImageFile backing = null == header.backingFile() ? null : backingOpener.open(header.backingFile(), header.backingFormat());
        return new Qcow2Image(path, file, fileSize, header, l1, backing);
    }

    /** Opens the image a qcow2 header names as its backing file. */
    @FunctionalInterface
    interface BackingOpener
    {
        ImageFile open(String name, String format) throws IOException;
    }

    public Qcow2Header header()
    {
        return header;
    }

    @Override
    public long sizeBytes()
    {
        return header.sizeBytes();
    }

    @Override
    public void read(final long offset, final ByteBuffer dst) throws IOException
    {
        final int end = dst.limit();
        long position = offset;
        while (dst.position() < end)
        {
            if (position >= header.sizeBytes())
            {
                zero(dst, end - dst.position());
                return;
            }
            final long inCluster = position & clusterMask;
            final int n = (int)Math.min(Math.min(end - dst.position(), header.clusterBytes() - inCluster), header.sizeBytes() - position);
            final long entry = l2Entry(position >>> header.clusterBits());
            dst.limit(dst.position() + n);
            try
            {
                readCluster(position, inCluster, entry, dst);
            }
            finally
            {
                dst.limit(end);
            }
            position += n;
        }
    }

    private void readCluster(final long position, final long inCluster, final long entry, final ByteBuffer dst) throws IOException
    {
        if ((entry & L2_COMPRESSED) != 0)
        {
            decompressors.get().read(this, position, entry, inCluster, dst);
            return;
        }
        final long host = entry & L2_OFFSET_MASK;
        if (header.version() == 3 && (entry & L2_ZERO) != 0)
        {
            zero(dst, dst.remaining());
            return;
        }
        if (host == 0)
        {
            if (null != backing)
            {
                backing.read(position, dst);
            }
            else
            {
                zero(dst, dst.remaining());
            }
            return;
        }
        if ((entry & L2_RESERVED) != 0 || (host & clusterMask) != 0 || host < header.clusterBytes() || host >= fileSize)
        {
            throw corrupt("guest offset " + position + " maps to cluster entry 0x" + Long.toHexString(entry) +
                (host >= fileSize ? ", past the end of the file (" + fileSize + " bytes)" : ", which is misaligned, reserved or over the header"));
        }
        readOrZero(dst, host + inCluster);
    }

    /** The L2 entry of guest cluster {@code cluster}, or 0 when its L2 table is not allocated. */
    private long l2Entry(final long cluster) throws IOException
    {
        final long l1Index = cluster >>> l2Bits;
        if (l1Index >= l1.length)
        {
            return 0; // only past the virtual size, which read() never asks for
        }
        final long l2Offset = l1[(int)l1Index] & L1_OFFSET_MASK;
        if (l2Offset == 0)
        {
            return 0;
        }
        final int slot = (int)(l1Index % l2Cache.length());
        L2Table table = l2Cache.get(slot);
        if (null == table || table.l1Index != l1Index)
        {
            table = loadL2(l1Index, l2Offset);
            l2Cache.set(slot, table);
        }
        return table.entries[(int)(cluster & ((1L << l2Bits) - 1))];
    }

    private L2Table loadL2(final long l1Index, final long l2Offset) throws IOException
    {
        if ((l2Offset & clusterMask) != 0 || l2Offset < header.clusterBytes() || l2Offset >= fileSize)
        {
            throw corrupt("L1 entry " + l1Index + " names an L2 table at " + l2Offset + ", " +
                (l2Offset >= fileSize ? "past the end of the file (" + fileSize + " bytes)" : "not a cluster boundary past the header"));
        }
        final ByteBuffer bytes = ByteBuffer.allocate((int)header.clusterBytes()).order(ByteOrder.BIG_ENDIAN);
        readOrZero(bytes, l2Offset);
        final long[] entries = new long[header.l2Entries()];
        bytes.flip().asLongBuffer().get(entries);
        return new L2Table(l1Index, entries);
    }

    /** Reads the buffer's remaining bytes from {@code fileOffset}; what lies past the end of the file reads as zero. */
    private void readOrZero(final ByteBuffer dst, final long fileOffset) throws IOException
    {
        long at = fileOffset;
        while (dst.hasRemaining())
        {
            final int n = file.read(dst, at);
            if (n < 0)
            {
                zero(dst, dst.remaining());
                return;
            }
            at += n;
        }
    }

    private static void readFully(final FileChannel file, final ByteBuffer dst, final long offset) throws IOException
    {
        long at = offset;
        while (dst.hasRemaining())
        {
            final int n = file.read(dst, at);
            if (n < 0)
            {
                throw new ImageFormatException("file ends at " + at + " inside its qcow2 metadata");
            }
            at += n;
        }
    }

    static void zero(final ByteBuffer dst, final int length)
    {
        for (int left = length; left > 0; )
        {
            final int n = Math.min(left, ZEROS.length);
            dst.put(ZEROS, 0, n);
            left -= n;
        }
    }

    ImageCorruptException corrupt(final String what)
    {
        return new ImageCorruptException("qcow2 image " + path + ": " + what);
    }

    @Override
    public String describe()
    {
        return "qcow2 v" + header.version() + " " + path + " (cluster " + header.clusterBytes() + " bytes" +
            (null == backing ? "" : ", backing " + backing.describe()) + ")";
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
        if (null != backing)
        {
            backing.close();
        }
    }

    private record L2Table(long l1Index, long[] entries)
    {
    }

    /**
     * One thread's zlib state and buffers for compressed clusters ("Compressed Clusters Descriptor"):
     * raw deflate, at most one cluster of output.
     */
    private static final class Decompressor
    {
        private final Inflater inflater = new Inflater(true);
        private final byte[] cluster;
        private byte[] compressed = new byte[0];

        Decompressor(final int clusterBytes)
        {
            this.cluster = new byte[clusterBytes];
        }

        void read(final Qcow2Image image, final long position, final long entry, final long inCluster, final ByteBuffer dst)
            throws IOException
        {
            final long descriptor = entry & ((1L << 62) - 1);
            final long host = descriptor & ((1L << image.compressedOffsetBits) - 1);
            final long sectors = (descriptor >>> image.compressedOffsetBits) + 1;
            // The sector count is an upper bound: the last compressed cluster may end before it does.
            final long length = Math.min(sectors * 512 - (host & 511), image.fileSize - host);
            if (host < image.header.clusterBytes() || host >= image.fileSize || length <= 0 || length > 2 * image.header.clusterBytes())
            {
                throw image.corrupt("guest offset " + position + " maps to a compressed cluster at " + host + " of " +
                    (sectors * 512) + " bytes outside the file (" + image.fileSize + " bytes)");
            }
            if (compressed.length < length)
            {
                compressed = new byte[(int)length];
            }
            final ByteBuffer in = ByteBuffer.wrap(compressed, 0, (int)length);
            image.readOrZero(in, host);
            inflater.reset();
            inflater.setInput(compressed, 0, (int)length);
            int produced = 0;
            try
            {
                while (produced < cluster.length && !inflater.finished())
                {
                    final int n = inflater.inflate(cluster, produced, cluster.length - produced);
                    if (n == 0 && (inflater.needsInput() || inflater.needsDictionary()))
                    {
                        break;
                    }
                    produced += n;
                }
            }
            catch (final DataFormatException ex)
            {
                throw image.corrupt("compressed cluster at " + host + " does not inflate: " + ex.getMessage());
            }
            if (produced < cluster.length)
            {
                throw image.corrupt("compressed cluster at " + host + " inflates to " + produced + " bytes, not a cluster");
            }
            dst.put(cluster, (int)inCluster, dst.remaining());
        }
    }
}
