package io.vplane.blockstore.image;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The header of a qcow2 image (qemu docs/interop/qcow2.txt "Header", "Header extensions"), checked
 * against the file it came from so that every table it names lies inside that file. All numbers are
 * big-endian.
 * <pre>
 *   0 magic "QFI\xfb"            4 version (2, 3)          8 backing_file_offset   16 backing_file_size
 *  20 cluster_bits              24 size (virtual)         32 crypt_method         36 l1_size
 *  40 l1_table_offset           48 refcount_table_offset  56 refcount_clusters    60 nb_snapshots
 *  64 snapshots_offset         (v2 ends at 72)
 *  72 incompatible_features     80 compatible_features    88 autoclear_features   96 refcount_order
 * 100 header_length            104 compression_type (if header_length > 104)
 * then extensions: u32 type, u32 length, data padded to 8; type 0 ends them
 * </pre>
 *
 * @param version          2 or 3
 * @param clusterBits      log2 of the cluster size, 9..21
 * @param sizeBytes        the virtual disk's size
 * @param l1Entries        entries of the active L1 table
 * @param l1Offset         where the L1 table starts in the file
 * @param backingFile      the backing file's name as written, or null
 * @param backingFormat    the backing file's format from its header extension ("raw", "qcow2"), or null
 * @param dirty            refcounts may be stale (harmless for reading)
 */
public record Qcow2Header(int version, int clusterBits, long sizeBytes, int l1Entries, long l1Offset, String backingFile,
    String backingFormat, boolean dirty)
{
    public static final int MAGIC = 0x514649fb;
    /** Bytes to read first: the v3 header up to compression_type, enough to know the cluster size. */
    public static final int FIXED_BYTES = 112;
    static final int MIN_CLUSTER_BITS = 9;
    /** qemu's own limit (2 MiB clusters); larger ones are refused there too. */
    static final int MAX_CLUSTER_BITS = 21;
    /** qemu's limit on the L1 table (32 MiB): bounds what opening an image may allocate. */
    static final int MAX_L1_BYTES = 32 << 20;
    /** 2^61 bytes: past it L1 indices overflow with 512-byte clusters; qemu refuses more too. */
    static final long MAX_SIZE_BYTES = 1L << 61;
    static final int MAX_BACKING_NAME_BYTES = 1023;

    private static final int V2_HEADER_BYTES = 72;
    private static final int V3_MIN_HEADER_BYTES = 104;
    private static final long INCOMPAT_DIRTY = 1;
    private static final long INCOMPAT_CORRUPT = 1 << 1;
    private static final long INCOMPAT_DATA_FILE = 1 << 2;
    private static final long INCOMPAT_COMPRESSION_TYPE = 1 << 3;
    private static final long INCOMPAT_EXTENDED_L2 = 1 << 4;
    private static final long INCOMPAT_KNOWN = (1 << 5) - 1;
    private static final int EXT_END = 0;
    private static final int EXT_BACKING_FORMAT = 0xe2792aca;
    private static final int EXT_ENCRYPTION = 0x0537be77;
    private static final int EXT_DATA_FILE = 0x44415441;

    public long clusterBytes()
    {
        return 1L << clusterBits;
    }

    /** Entries of one L2 table: one cluster of 8-byte entries. */
    public int l2Entries()
    {
        return 1 << (clusterBits - 3);
    }

    /** Whether {@code first} starts like a qcow2 image. */
    public static boolean hasMagic(final ByteBuffer first)
    {
        return first.limit() >= 4 && first.order(ByteOrder.BIG_ENDIAN).getInt(0) == MAGIC;
    }

    /** The cluster size the header claims, to know how much of the file is header; checked by {@link #parse}. */
    public static int clusterBitsOf(final ByteBuffer first)
    {
        return first.limit() >= 24 ? first.order(ByteOrder.BIG_ENDIAN).getInt(20) : 0;
    }

    /**
     * @param head     the file's first bytes: its first cluster, or the whole file if shorter
     * @param fileSize the file's size, which every table must fit in
     * @throws ImageFormatException naming what is wrong or not supported
     */
    public static Qcow2Header parse(final ByteBuffer head, final long fileSize) throws ImageFormatException
    {
        final ByteBuffer b = head.duplicate().order(ByteOrder.BIG_ENDIAN);
        if (b.limit() < V2_HEADER_BYTES || fileSize < V2_HEADER_BYTES)
        {
            throw new ImageFormatException("file of " + fileSize + " bytes is too short for a qcow2 header (72 bytes)");
        }
        if (b.getInt(0) != MAGIC)
        {
            throw new ImageFormatException("not a qcow2 image (no QFI\\xfb magic)");
        }
        final int version = b.getInt(4);
        if (version != 2 && version != 3)
        {
            throw new ImageFormatException("qcow2 version " + Integer.toUnsignedString(version) + " is not supported (2 and 3 are)");
        }
        final int clusterBits = b.getInt(20);
        if (clusterBits < MIN_CLUSTER_BITS || clusterBits > MAX_CLUSTER_BITS)
        {
            throw new ImageFormatException("cluster_bits " + Integer.toUnsignedString(clusterBits) + " is outside " +
                MIN_CLUSTER_BITS + ".." + MAX_CLUSTER_BITS + " (512 bytes to 2 MiB clusters)");
        }
        final long clusterBytes = 1L << clusterBits;
        final long sizeBytes = b.getLong(24);
        if (sizeBytes < 0 || sizeBytes > MAX_SIZE_BYTES)
        {
            throw new ImageFormatException("virtual size " + Long.toUnsignedString(sizeBytes) + " is absurd (more than 2^61 bytes)");
        }
        final int cryptMethod = b.getInt(32);
        if (cryptMethod != 0)
        {
            throw new ImageFormatException("the image is encrypted (" + (cryptMethod == 1 ? "AES" : cryptMethod == 2 ? "LUKS" :
                "method " + Integer.toUnsignedString(cryptMethod)) + "); encrypted qcow2 is not read here, decrypt it with qemu-img convert first");
        }
        final long l1Entries = Integer.toUnsignedLong(b.getInt(36));
        final long l1Offset = b.getLong(40);
        checkL1(sizeBytes, clusterBits, l1Entries, l1Offset, fileSize);
        long headerBytes = V2_HEADER_BYTES;
        boolean dirty = false;
        if (version == 3)
        {
            if (b.limit() < V3_MIN_HEADER_BYTES)
            {
                throw new ImageFormatException("file is too short for a qcow2 version 3 header (104 bytes)");
            }
            headerBytes = Integer.toUnsignedLong(b.getInt(100));
            if (headerBytes < V3_MIN_HEADER_BYTES || headerBytes % 8 != 0 || headerBytes > Math.min(clusterBytes, b.limit()))
            {
                throw new ImageFormatException("header_length " + headerBytes + " is not a multiple of 8 between 104 and the cluster size");
            }
            final long incompatible = b.getLong(72);
            dirty = (incompatible & INCOMPAT_DIRTY) != 0;
            checkIncompatible(incompatible, headerBytes > 104 ? b.get(104) & 0xff : 0);
        }
        String backingFormat = null;
        long at = headerBytes;
        final long extensionsEnd = Math.min(clusterBytes, b.limit());
        while (at + 8 <= extensionsEnd)
        {
            final int type = b.getInt((int)at);
            final long length = Integer.toUnsignedLong(b.getInt((int)at + 4));
            if (type == EXT_END)
            {
                break;
            }
            if (at + 8 + length > extensionsEnd)
            {
                throw new ImageFormatException("header extension 0x" + Integer.toHexString(type) + " of " + length +
                    " bytes at " + at + " runs past the first cluster");
            }
            if (type == EXT_DATA_FILE)
            {
                throw new ImageFormatException("the image keeps its data in an external data file, which is not read here");
            }
            if (type == EXT_ENCRYPTION)
            {
                throw new ImageFormatException("the image has an encryption header; encrypted qcow2 is not read here");
            }
            if (type == EXT_BACKING_FORMAT)
            {
                backingFormat = string(b, at + 8, length);
            }
            at += 8 + ((length + 7) & ~7L);
        }
        return new Qcow2Header(version, clusterBits, sizeBytes, (int)l1Entries, l1Offset,
            backingFile(b, clusterBytes, fileSize), backingFormat, dirty);
    }

    private static void checkL1(final long sizeBytes, final int clusterBits, final long l1Entries, final long l1Offset,
        final long fileSize) throws ImageFormatException
    {
        final long clusterBytes = 1L << clusterBits;
        // One L1 entry covers one L2 table: 2^(clusterBits - 3) clusters.
        final int coverBits = clusterBits + clusterBits - 3;
        final long needed = coverBits >= 62 ? 1 : (sizeBytes + (1L << coverBits) - 1) >>> coverBits;
        if (l1Entries < needed)
        {
            throw new ImageFormatException("L1 table has " + l1Entries + " entries but a virtual size of " + sizeBytes +
                " bytes needs " + needed);
        }
        if (l1Entries * 8 > MAX_L1_BYTES)
        {
            throw new ImageFormatException("L1 table of " + l1Entries + " entries is absurd (more than " + (MAX_L1_BYTES >> 20) + " MiB)");
        }
        if (l1Entries == 0)
        {
            return;
        }
        if (l1Offset < clusterBytes || (l1Offset & (clusterBytes - 1)) != 0)
        {
            throw new ImageFormatException("L1 table offset " + Long.toUnsignedString(l1Offset) +
                " is not a cluster boundary past the header");
        }
        if (l1Offset > fileSize || l1Entries * 8 > fileSize - l1Offset)
        {
            throw new ImageFormatException("L1 table at " + l1Offset + " (" + l1Entries * 8 + " bytes) lies beyond the end of the file (" +
                fileSize + " bytes)");
        }
    }

    private static void checkIncompatible(final long incompatible, final int compressionType) throws ImageFormatException
    {
        if ((incompatible & ~INCOMPAT_KNOWN) != 0)
        {
            throw new ImageFormatException("unknown incompatible features 0x" + Long.toHexString(incompatible & ~INCOMPAT_KNOWN));
        }
        if ((incompatible & INCOMPAT_CORRUPT) != 0)
        {
            throw new ImageFormatException("the image is marked corrupt; repair it with qemu-img check -r all first");
        }
        if ((incompatible & INCOMPAT_DATA_FILE) != 0)
        {
            throw new ImageFormatException("the image keeps its data in an external data file, which is not read here");
        }
        if ((incompatible & INCOMPAT_EXTENDED_L2) != 0)
        {
            throw new ImageFormatException("the image has extended L2 entries (subclusters), which are not read here; " +
                "qemu-img convert -O qcow2 without extended_l2 first");
        }
        if ((incompatible & INCOMPAT_COMPRESSION_TYPE) != 0 || compressionType != 0)
        {
            throw new ImageFormatException("compressed clusters use " + (compressionType == 1 ? "zstd" : "compression type " +
                compressionType) + "; only zlib is read here");
        }
    }

    private static String backingFile(final ByteBuffer b, final long clusterBytes, final long fileSize) throws ImageFormatException
    {
        final long offset = b.getLong(8);
        if (offset == 0)
        {
            return null;
        }
        final long length = Integer.toUnsignedLong(b.getInt(16));
        if (length == 0 || length > MAX_BACKING_NAME_BYTES)
        {
            throw new ImageFormatException("backing file name of " + length + " bytes (1..1023 allowed)");
        }
        if (offset < 0 || offset + length > Math.min(clusterBytes, Math.min(fileSize, b.limit())))
        {
            throw new ImageFormatException("backing file name at " + Long.toUnsignedString(offset) + " (" + length +
                " bytes) lies outside the first cluster");
        }
        return string(b, offset, length);
    }

    private static String string(final ByteBuffer b, final long offset, final long length)
    {
        final byte[] bytes = new byte[(int)length];
        b.get((int)offset, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
