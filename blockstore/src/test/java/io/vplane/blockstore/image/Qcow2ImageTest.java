package io.vplane.blockstore.image;

import io.vplane.engine.confine.ConfinedDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class Qcow2ImageTest
{
    private static final int C = Qcow2Builder.CLUSTER;

    @TempDir
    Path dir;

    @Test
    void shouldReadDataZeroAndUnallocatedClustersOfVersion3()
        throws IOException
    {
        final Qcow2Builder image = new Qcow2Builder(3, 8L * C).data(0, (byte)7).entry(1, 1).data(2, (byte)9);
        try (ImageFile opened = open(write("a.qcow2", image.bytes())))
        {
            final byte[] all = read(opened, 0, 8 * C);
            assertThat(all[0]).isEqualTo((byte)7);
            assertThat(all[C - 1]).isEqualTo((byte)7);
            assertThat(all[C]).isZero();
            assertThat(all[2 * C + 5]).isEqualTo((byte)9);
            assertThat(all[7 * C]).isZero();
        }
    }

    @Test
    void shouldReadAcrossClusterBoundariesAndPastTheEndAsZeros()
        throws IOException
    {
        final Qcow2Builder image = new Qcow2Builder(2, 4L * C).data(0, (byte)1).data(1, (byte)2);
        try (ImageFile opened = open(write("b.qcow2", image.bytes())))
        {
            final byte[] span = read(opened, C - 2, 4);
            assertThat(span).containsExactly(1, 1, 2, 2);
            final byte[] past = read(opened, 4L * C - 2, 4);
            assertThat(past).containsExactly(0, 0, 0, 0);
        }
    }

    @Test
    void shouldReadCompressedClusters()
        throws IOException
    {
        final Qcow2Builder image = new Qcow2Builder(3, 4L * C).compressed(1, (byte)0x5a);
        try (ImageFile opened = open(write("c.qcow2", image.bytes())))
        {
            final byte[] cluster = read(opened, C, C);
            assertThat(cluster).containsOnly(0x5a);
        }
    }

    @Test
    void shouldReadUnallocatedClustersFromTheBackingChain()
        throws IOException
    {
        final byte[] base = new byte[4 * C];
        java.util.Arrays.fill(base, (byte)3);
        write("base.raw", base);
        write("mid.qcow2", new Qcow2Builder(3, 4L * C).data(1, (byte)4).backing("base.raw", "raw").bytes());
        final Qcow2Builder top = new Qcow2Builder(2, 4L * C).data(2, (byte)5).backing("mid.qcow2", null);
        try (ImageFile opened = open(write("top.qcow2", top.bytes())))
        {
            final byte[] all = read(opened, 0, 4 * C);
            assertThat(all[0]).isEqualTo((byte)3);
            assertThat(all[C]).isEqualTo((byte)4);
            assertThat(all[2 * C]).isEqualTo((byte)5);
            assertThat(all[3 * C]).isEqualTo((byte)3);
            assertThat(opened.describe()).contains("backing qcow2 v3").contains("backing raw");
        }
    }

    @Test
    void shouldRefuseABackingChainThatLoops()
        throws IOException
    {
        write("x.qcow2", new Qcow2Builder(3, 4L * C).backing("y.qcow2", "qcow2").bytes());
        write("y.qcow2", new Qcow2Builder(3, 4L * C).backing("x.qcow2", "qcow2").bytes());
        assertThatThrownBy(() -> open(dir.resolve("x.qcow2"))).isInstanceOf(ImageFormatException.class).hasMessageContaining("loops");
    }

    @Test
    void shouldRefuseABackingChainTooDeep()
        throws IOException
    {
        write("d0.raw", new byte[4 * C]);
        for (int i = 1; i <= ImageOpener.MAX_CHAIN_DEPTH; i++)
        {
            write("d" + i + ".qcow2", new Qcow2Builder(3, 4L * C).backing(i == 1 ? "d0.raw" : "d" + (i - 1) + ".qcow2", null).bytes());
        }
        assertThatThrownBy(() -> open(dir.resolve("d" + ImageOpener.MAX_CHAIN_DEPTH + ".qcow2")))
            .isInstanceOf(ImageFormatException.class).hasMessageContaining("deeper than");
    }

    @Test
    void shouldRefuseABackingFileOutsideTheImageDirectories()
        throws IOException
    {
        final Path image = write("evil.qcow2", new Qcow2Builder(3, 4L * C).backing("/etc/passwd", "raw").bytes());
        assertThatThrownBy(() -> open(image)).isInstanceOf(ImageFormatException.class).hasMessageContaining("outside");
        final Path protocol = write("evil2.qcow2", new Qcow2Builder(3, 4L * C).backing("nbd:localhost:10809", "raw").bytes());
        assertThatThrownBy(() -> open(protocol)).isInstanceOf(ImageFormatException.class).hasMessageContaining("protocol");
    }

    @Test
    void shouldRefuseAMissingBackingFileOrOneWithANulInItsName()
        throws IOException
    {
        final Path missing = write("m.qcow2", new Qcow2Builder(3, 4L * C).backing("gone.raw", "raw").bytes());
        assertThatThrownBy(() -> open(missing)).isInstanceOf(ImageFormatException.class).hasMessageContaining("cannot be opened");
        final Path nul = write("n.qcow2", new Qcow2Builder(3, 4L * C).backing("a\0b", "raw").bytes());
        assertThatThrownBy(() -> open(nul)).isInstanceOf(ImageFormatException.class).hasMessageContaining("NUL");
    }

    @Test
    void shouldFailOnlyTheReadOfAClusterPastTheEndOfTheFile()
        throws IOException
    {
        final Qcow2Builder image = new Qcow2Builder(3, 4L * C).data(0, (byte)1).entry(1, 1L << 40);
        try (ImageFile opened = open(write("e.qcow2", image.bytes())))
        {
            assertThatThrownBy(() -> read(opened, C, C)).isInstanceOf(ImageCorruptException.class).hasMessageContaining("past the end");
            assertThat(read(opened, 0, 1)).containsExactly(1);
        }
    }

    @Test
    void shouldFailTheReadOfAClusterEntryWithReservedBits()
        throws IOException
    {
        final Qcow2Builder image = new Qcow2Builder(3, 4L * C).entry(1, 1L << 63 | 2L * C | 1L << 3);
        try (ImageFile opened = open(write("f.qcow2", image.bytes())))
        {
            assertThatThrownBy(() -> read(opened, C, 1)).isInstanceOf(ImageCorruptException.class).hasMessageContaining("reserved");
        }
    }

    @Test
    void shouldFailTheReadOfAnL2TablePastTheEndOfTheFile()
        throws IOException
    {
        try (ImageFile opened = open(write("g.qcow2", new Qcow2Builder(3, 4L * C).putLong(C, 1L << 40).bytes())))
        {
            assertThatThrownBy(() -> read(opened, 0, 1)).isInstanceOf(ImageCorruptException.class).hasMessageContaining("L2 table");
        }
    }

    @Test
    void shouldRefuseHostileHeadersAtOpen()
        throws IOException
    {
        refused(new Qcow2Builder(3, 4L * C).putInt(4, 4), "version 4");
        refused(new Qcow2Builder(3, 4L * C).putInt(20, 8), "cluster_bits 8");
        refused(new Qcow2Builder(3, 4L * C).putInt(20, 40), "cluster_bits 40");
        refused(new Qcow2Builder(3, 4L * C).putLong(24, -1), "absurd");
        refused(new Qcow2Builder(3, 1L << 60).putInt(36, 1), "needs");
        refused(new Qcow2Builder(3, 4L * C).putInt(36, -1), "absurd");
        refused(new Qcow2Builder(3, 4L * C).putLong(40, 1L << 30), "beyond the end of the file");
        refused(new Qcow2Builder(3, 4L * C).putLong(40, 0), "past the header");
        refused(new Qcow2Builder(3, 4L * C).putLong(40, C + 8), "cluster boundary");
        refused(new Qcow2Builder(3, 4L * C).putInt(32, 2), "LUKS");
        refused(new Qcow2Builder(3, 4L * C).putLong(72, 1 << 2), "external data file");
        refused(new Qcow2Builder(3, 4L * C).putLong(72, 1 << 4), "extended L2");
        refused(new Qcow2Builder(3, 4L * C).putLong(72, 1 << 1), "corrupt");
        refused(new Qcow2Builder(3, 4L * C).putLong(72, 1L << 40), "unknown incompatible");
        refused(new Qcow2Builder(3, 4L * C).putLong(72, 1 << 3).putInt(100, 112).putInt(104, 0x01000000), "zstd");
        refused(new Qcow2Builder(3, 4L * C).putInt(100, 4096), "header_length");
        refused(new Qcow2Builder(3, 4L * C).putInt(104, 0x44415441).putInt(108, 8), "external data file");
        refused(new Qcow2Builder(3, 4L * C).putInt(104, 0x12345678).putInt(108, 1 << 20), "past the first cluster");
        refused(new Qcow2Builder(3, 4L * C).putLong(8, 1L << 40).putInt(16, 4), "outside the first cluster");
        refused(new Qcow2Builder(3, 4L * C).putLong(8, 400).putInt(16, 5000), "1..1023");
        refused(new Qcow2Builder(3, 4L * C).putInt(0, 0x514649fc), "magic");
        assertThatThrownBy(() -> open(write("short.qcow2", new byte[] {'Q', 'F', 'I', (byte)0xfb})))
            .isInstanceOf(ImageFormatException.class).hasMessageContaining("too short");
    }

    private void refused(final Qcow2Builder image, final String why)
        throws IOException
    {
        final Path path = write("hostile.qcow2", image.bytes());
        assertThatThrownBy(() -> open(path, "qcow2")).as(why).isInstanceOf(ImageFormatException.class).hasMessageContaining(why);
    }

    private ImageFile open(final Path path)
        throws IOException
    {
        return open(path, null);
    }

    private ImageFile open(final Path path, final String format)
        throws IOException
    {
        return new ImageOpener(new ConfinedDirectory("disk image", List.of(dir.toString()))).open(path, format);
    }

    private Path write(final String name, final byte[] bytes)
        throws IOException
    {
        return Files.write(dir.resolve(name), bytes);
    }

    private static byte[] read(final ImageFile image, final long offset, final int length)
        throws IOException
    {
        final ByteBuffer dst = ByteBuffer.allocate(length);
        image.read(offset, dst);
        assertThat(dst.hasRemaining()).isFalse();
        return dst.array();
    }
}
