package io.vplane.blockstore.image;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.zip.Deflater;

/**
 * Builds small qcow2 images in memory, one L2 table, for tests that need exact control of every
 * field (hostile headers): cluster 0 header, cluster 1 L1 table, cluster 2 the L2 table, data from
 * cluster 3 on.
 */
final class Qcow2Builder
{
    static final int CLUSTER_BITS = 9;
    static final int CLUSTER = 1 << CLUSTER_BITS;

    private final int version;
    private final long sizeBytes;
    private final ByteBuffer file;
    private int nextCluster = 3;

    Qcow2Builder(final int version, final long sizeBytes)
    {
        this.version = version;
        this.sizeBytes = sizeBytes;
        this.file = ByteBuffer.allocate(CLUSTER * 64).order(ByteOrder.BIG_ENDIAN);
        file.putInt(0, Qcow2Header.MAGIC);
        file.putInt(4, version);
        file.putInt(20, CLUSTER_BITS);
        file.putLong(24, sizeBytes);
        file.putInt(36, 1);
        file.putLong(40, CLUSTER);
        if (version == 3)
        {
            file.putInt(96, 4);
            file.putInt(100, 104);
        }
        file.putLong(CLUSTER, 2L * CLUSTER | 1L << 63);
    }

    /** Guest cluster {@code index} holds {@code fill} repeated. */
    Qcow2Builder data(final int index, final byte fill)
    {
        final int host = nextCluster++ * CLUSTER;
        for (int i = 0; i < CLUSTER; i++)
        {
            file.put(host + i, fill);
        }
        return entry(index, host | 1L << 63);
    }

    /** Guest cluster {@code index} holds {@code fill} repeated, stored zlib-compressed. */
    Qcow2Builder compressed(final int index, final byte fill)
    {
        final byte[] plain = new byte[CLUSTER];
        java.util.Arrays.fill(plain, fill);
        final Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
        deflater.setInput(plain);
        deflater.finish();
        final byte[] out = new byte[CLUSTER * 2];
        final int n = deflater.deflate(out);
        deflater.end();
        final int host = nextCluster++ * CLUSTER + 16; // compressed data need not be aligned
        file.put(host, out, 0, n);
        final int offsetBits = 62 - (CLUSTER_BITS - 8);
        final long sectors = (host + n - 1) / 512 - host / 512;
        return entry(index, 1L << 62 | sectors << offsetBits | host);
    }

    Qcow2Builder entry(final int index, final long entry)
    {
        file.putLong(2 * CLUSTER + index * 8, entry);
        return this;
    }

    Qcow2Builder backing(final String name, final String format)
    {
        final byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        final int at = 400;
        file.put(at, bytes);
        file.putLong(8, at);
        file.putInt(16, bytes.length);
        if (null != format)
        {
            final int ext = version == 3 ? 104 : 72;
            file.putInt(ext, 0xe2792aca);
            file.putInt(ext + 4, format.length());
            file.put(ext + 8, format.getBytes(StandardCharsets.US_ASCII));
        }
        return this;
    }

    Qcow2Builder putInt(final int offset, final int value)
    {
        file.putInt(offset, value);
        return this;
    }

    Qcow2Builder putLong(final int offset, final long value)
    {
        file.putLong(offset, value);
        return this;
    }

    long sizeBytes()
    {
        return sizeBytes;
    }

    byte[] bytes()
    {
        final byte[] out = new byte[nextCluster * CLUSTER];
        file.get(0, out);
        return out;
    }
}
