package io.vplane.blockstore.convert;

import io.vplane.blockstore.backend.RawFileBackend;
import io.vplane.blockstore.image.ImageFile;
import io.vplane.engine.counters.Counters;
import io.vplane.engine.errors.ErrorLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class ConvertingBackendTest
{
    private static final int CHUNK = 4096;
    private static final int SIZE = 64 * CHUNK + 1000; // a short last chunk

    @TempDir
    Path dir;
    private final ErrorLog errors = new ErrorLog(Counters.inMemory(256));

    @Test
    void shouldServeTheSourceUntilCopiedAndKeepWritesOverTheCopier() throws Exception
    {
        final byte[] source = random(SIZE, 1);
        final byte[] expected = source.clone();
        final ConvertingBackend backend = open(source, create());
        // A write inside chunk 3 before any copy: the rest of chunk 3 must still read as the source.
        write(backend, 3 * CHUNK + 100, 50, (byte)0x11, expected);
        assertThat(read(backend, 0, SIZE)).isEqualTo(expected);
        // A whole chunk, a write across two chunks, zeroes across a boundary.
        write(backend, 7 * CHUNK, CHUNK, (byte)0x22, expected);
        write(backend, 10 * CHUNK - 10, 30, (byte)0x33, expected);
        backend.writeZeroes(20 * CHUNK - 5, 10, false, false);
        Arrays.fill(expected, 20 * CHUNK - 5, 20 * CHUNK + 5, (byte)0);
        backend.copier().start(0, () -> { });
        awaitState(backend, ChunkCopier.State.DONE);
        write(backend, SIZE - 3, 3, (byte)0x44, expected);
        assertThat(read(backend, 0, SIZE)).isEqualTo(expected);
        assertThat(backend.map().doneChunks()).isEqualTo(backend.map().chunks());
        backend.close();
        assertThat(Files.readAllBytes(dir.resolve("target.raw"))).isEqualTo(expected);
        assertThat(backend.chunksWrittenFirst()).isEqualTo(6); // chunks 3, 7, 9, 10, 19, 20
    }

    @Test
    void shouldResumeAfterACrashFromTheLastSavedMapWithoutLosingFlushedWrites() throws Exception
    {
        final byte[] source = random(SIZE, 2);
        final byte[] expected = source.clone();
        final ConversionMap map = create();
        final ConvertingBackend first = open(source, map);
        write(first, 5 * CHUNK + 7, 100, (byte)0x55, expected);
        first.flush(); // the write and its chunk's mark are durable
        // Unflushed: may be lost at a crash, then the chunk reads as the source again, never as a mix.
        final byte[] beforeUnflushed = expected.clone();
        write(first, 30 * CHUNK + 1, 10, (byte)0x66, expected);
        // "Crash": nothing more is saved; a new backend opens the map file as a restart would.
        final ConversionMap reloaded = ConversionMap.load(map.file());
        assertThat(reloaded.done(5)).isTrue();
        assertThat(reloaded.done(30)).isFalse();
        final ConvertingBackend second = open(source, reloaded);
        final byte[] after = read(second, 0, SIZE);
        assertThat(Arrays.copyOfRange(after, 5 * CHUNK, 6 * CHUNK)).isEqualTo(Arrays.copyOfRange(expected, 5 * CHUNK, 6 * CHUNK));
        assertThat(Arrays.copyOfRange(after, 30 * CHUNK, 31 * CHUNK))
            .isEqualTo(Arrays.copyOfRange(beforeUnflushed, 30 * CHUNK, 31 * CHUNK));
        second.copier().start(0, () -> { });
        awaitState(second, ChunkCopier.State.DONE);
        assertThat(read(second, 0, SIZE)).isEqualTo(beforeUnflushed);
        second.close();
        first.copier().stop();
    }

    @Test
    void shouldRefuseAMapThatDoesNotParse() throws IOException
    {
        final Path bad = Files.write(dir.resolve("bad" + ConversionMap.SUFFIX), new byte[64]);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ConversionMap.load(bad)).hasMessageContaining("bad header");
    }

    private ConversionMap create() throws IOException
    {
        return ConversionMap.create(dir.resolve("target.raw" + ConversionMap.SUFFIX), "raw:source.raw", "target.raw", SIZE, CHUNK, 0);
    }

    private ConvertingBackend open(final byte[] source, final ConversionMap map) throws IOException
    {
        final RawFileBackend target = RawFileBackend.open(dir.resolve("target.raw"), SIZE, false);
        return new ConvertingBackend("d", new BytesImage(source), target, map, errors, 0);
    }

    private static void write(final ConvertingBackend backend, final long offset, final int length, final byte fill,
        final byte[] expected) throws IOException
    {
        final byte[] data = new byte[length];
        Arrays.fill(data, fill);
        backend.write(offset, ByteBuffer.wrap(data));
        System.arraycopy(data, 0, expected, (int)offset, length);
    }

    private static byte[] read(final ConvertingBackend backend, final long offset, final int length) throws IOException
    {
        final ByteBuffer dst = ByteBuffer.allocate(length);
        backend.read(offset, dst);
        return dst.array();
    }

    private static void awaitState(final ConvertingBackend backend, final ChunkCopier.State state) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (backend.copier().state() != state && System.nanoTime() < deadline)
        {
            TimeUnit.MILLISECONDS.sleep(5);
        }
        assertThat(backend.copier().state()).as(String.valueOf(backend.copier().error())).isEqualTo(state);
    }

    private static byte[] random(final int length, final long seed)
    {
        final byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    /** A source image held in memory. */
    private record BytesImage(byte[] bytes) implements ImageFile
    {
        @Override
        public long sizeBytes()
        {
            return bytes.length;
        }

        @Override
        public void read(final long offset, final ByteBuffer dst)
        {
            final int n = (int)Math.min(dst.remaining(), Math.max(0, bytes.length - offset));
            dst.put(bytes, (int)offset, n);
            while (dst.hasRemaining())
            {
                dst.put((byte)0);
            }
        }

        @Override
        public String describe()
        {
            return "memory";
        }

        @Override
        public void close()
        {
        }
    }
}
