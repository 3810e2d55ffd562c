package io.vplane.blockstore.backend;

import io.vplane.engine.linux.Iovec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

class RawFileBackendTest
{
    private static final long SIZE = 8L << 20;
    private static final int MIB = 1 << 20;

    @TempDir
    Path dir;

    @Test
    void shouldCreateAMissingImageSparseWithTheGivenSize() throws Exception
    {
        final Path image = dir.resolve("sub/new.img");
        try (RawFileBackend backend = RawFileBackend.open(image, SIZE, false))
        {
            assertThat(backend.sizeBytes()).isEqualTo(SIZE);
            assertThat(Files.size(image)).isEqualTo(SIZE);
            assertThat(backend.nextData(0)).as("all hole").isEqualTo(SIZE);
        }
    }

    @Test
    void shouldKeepTheSizeOfAnExistingImage() throws Exception
    {
        final Path image = dir.resolve("old.img");
        Files.write(image, new byte[4096]);
        try (RawFileBackend backend = RawFileBackend.open(image, SIZE, true))
        {
            assertThat(backend.sizeBytes()).isEqualTo(4096);
        }
    }

    @Test
    void shouldFindDataAndHolesAndPunchHolesOnTrim() throws Exception
    {
        try (RawFileBackend backend = RawFileBackend.open(dir.resolve("d.img"), SIZE, false))
        {
            backend.write(2L * MIB, ByteBuffer.wrap(filled(MIB, 9)));

            assertThat(backend.nextData(0)).isEqualTo(2L * MIB);
            assertThat(backend.nextHole(2L * MIB)).isEqualTo(3L * MIB);

            backend.trim(2L * MIB, MIB);

            assertThat(backend.nextData(0)).isEqualTo(SIZE);
            assertThat(read(backend, 2L * MIB, 4096)).isEqualTo(new byte[4096]);
        }
    }

    @Test
    void shouldZeroWithAndWithoutHoles() throws Exception
    {
        try (RawFileBackend backend = RawFileBackend.open(dir.resolve("z.img"), SIZE, false))
        {
            backend.write(0, ByteBuffer.wrap(filled(2 * MIB, 1)));

            assertThat(backend.writeZeroes(0, MIB, true, false)).isEqualTo(StorageBackend.ZEROED);
            assertThat(backend.writeZeroes(MIB, 4096, false, true)).isEqualTo(StorageBackend.ZEROED);

            assertThat(read(backend, 0, MIB)).isEqualTo(new byte[MIB]);
            assertThat(backend.nextData(0)).as("punched").isEqualTo(MIB);
            assertThat(read(backend, MIB, 4096)).isEqualTo(new byte[4096]);
            assertThat(backend.nextHole(MIB)).as("NO_HOLE keeps blocks allocated").isGreaterThan(MIB + 4096L);
            assertThat(read(backend, MIB + 4096, 4096)).containsOnly(1);
        }
    }

    @Test
    void shouldGatherPiecesIntoOneContiguousWrite() throws Exception
    {
        try (RawFileBackend backend = RawFileBackend.open(dir.resolve("g.img"), SIZE, false))
        {
            // More pieces than one pwritev takes (IOV_MAX), of uneven sizes, one of them empty.
            final int pieces = Iovec.IOV_MAX + 300;
            final ByteBuffer[] srcs = new ByteBuffer[pieces];
            final byte[] expected = new byte[pieces * 3];
            int length = 0;
            for (int i = 0; i < pieces; i++)
            {
                final int n = 7 == i ? 0 : 1 + i % 5;
                srcs[i] = ByteBuffer.allocateDirect(n);
                for (int j = 0; j < n; j++)
                {
                    srcs[i].put((byte)(i + j));
                    expected[length++] = (byte)(i + j);
                }
                srcs[i].flip();
            }

            backend.write(MIB + 3, srcs);

            assertThat(read(backend, MIB + 3, length)).isEqualTo(Arrays.copyOf(expected, length));
            assertThat(srcs).allSatisfy(src -> assertThat(src.hasRemaining()).isFalse());
        }
    }

    @Test
    void shouldReadAndWriteNativeMemoryByAddressAndReadZerosPastTheEnd() throws Exception
    {
        final Path image = dir.resolve("a.img");
        Files.write(image, new byte[8192]);
        try (RawFileBackend backend = RawFileBackend.open(image, SIZE, false); Arena arena = Arena.ofConfined())
        {
            final MemorySegment out = arena.allocate(4096);
            out.fill((byte)5);
            backend.write(4000, out.address(), 4096);
            assertThat(read(backend, 4000, 4096)).isEqualTo(filled(4096, 5));

            // 8192 - 6000 bytes of the image, then the rest past its end.
            final MemorySegment in = arena.allocate(4096);
            in.fill((byte)-1);
            backend.read(6000, in.address(), 4096);
            final byte[] expected = filled(4096, 0);
            Arrays.fill(expected, 0, 8096 - 6000, (byte)5);
            assertThat(in.toArray(ValueLayout.JAVA_BYTE)).isEqualTo(expected);
        }
    }

    @Test
    void shouldViewTheImageThroughItsMappingFollowingGrowthAndRefuseRangesTheFileLost() throws Exception
    {
        final Path image = dir.resolve("m.img");
        try (RawFileBackend backend = RawFileBackend.open(image, 2 * MIB, false))
        {
            final byte[] data = new byte[300_000];
            new java.util.Random(3).nextBytes(data);
            backend.write(MIB - 1000, ByteBuffer.wrap(data));

            final MemorySegment view = backend.residentView(MIB - 1000, data.length);
            assertThat(view.toArray(ValueLayout.JAVA_BYTE)).isEqualTo(data);
            assertThat(backend.residentView(0, 4096).toArray(ValueLayout.JAVA_BYTE)).isEqualTo(new byte[4096]);

            // A write after the view was made shows through it: the mapping is the page cache.
            backend.write(MIB, ByteBuffer.wrap(filled(10, 9)));
            assertThat(view.asSlice(1000, 10).toArray(ValueLayout.JAVA_BYTE)).isEqualTo(filled(10, 9));

            backend.resize(4 * MIB);
            backend.write(3 * MIB, ByteBuffer.wrap(filled(70_000, 4)));
            assertThat(backend.residentView(3 * MIB, 70_000).toArray(ValueLayout.JAVA_BYTE)).isEqualTo(filled(70_000, 4));

            // Shrunk underneath: the range past the file's end is not handed out (read() zero-fills it).
            try (java.io.RandomAccessFile file = new java.io.RandomAccessFile(image.toFile(), "rw"))
            {
                file.setLength(MIB);
            }
            assertThat(backend.residentView(3 * MIB, 70_000)).isNull();
            assertThat(backend.residentView(0, 4096)).isNotNull();
        }
    }

    @Test
    void shouldWriteHeapPiecesOneByOne() throws Exception
    {
        try (RawFileBackend backend = RawFileBackend.open(dir.resolve("h.img"), SIZE, false))
        {
            final ByteBuffer direct = ByteBuffer.allocateDirect(4).put(filled(4, 1)).flip();
            backend.write(100, new ByteBuffer[] {direct, ByteBuffer.wrap(filled(5, 2))});

            assertThat(read(backend, 100, 9)).containsExactly(1, 1, 1, 1, 2, 2, 2, 2, 2);
        }
    }

    private static byte[] read(final StorageBackend backend, final long offset, final int length) throws Exception
    {
        final ByteBuffer buffer = ByteBuffer.allocateDirect(length);
        backend.read(offset, buffer);
        buffer.flip();
        final byte[] bytes = new byte[length];
        buffer.get(bytes);
        return bytes;
    }

    private static byte[] filled(final int length, final int value)
    {
        final byte[] bytes = new byte[length];
        Arrays.fill(bytes, (byte)value);
        return bytes;
    }
}
