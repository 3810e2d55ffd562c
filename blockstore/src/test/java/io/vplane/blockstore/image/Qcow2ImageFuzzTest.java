package io.vplane.blockstore.image;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.vplane.engine.confine.ConfinedDirectory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A hostile qcow2 file: header, extensions, L1 table and (after the first cluster) L2 tables and
 * data. Opening it either succeeds or fails with {@link ImageFormatException}; reads of an opened
 * image either fill the buffer or fail with {@link ImageCorruptException}. Anything else (a
 * runtime exception, a huge allocation, a hang) is a finding.
 */
class Qcow2ImageFuzzTest
{
    private static final Path DIR = directory();
    private static final ImageOpener OPENER = new ImageOpener(new ConfinedDirectory("disk image", List.of(DIR.toString())));
    private static final Path IMAGE = DIR.resolve("fuzz.qcow2");
    private static final int READ_BYTES = 4096;

    @FuzzTest(maxDuration = "30s")
    void shouldOpenOrRefuseAndReadOrFailCleanly(final byte[] input) throws IOException
    {
        Files.write(IMAGE, input);
        final ImageFile image;
        try
        {
            image = OPENER.open(IMAGE, "qcow2");
        }
        catch (final ImageFormatException refused)
        {
            return;
        }
        try (image)
        {
            final ByteBuffer dst = ByteBuffer.allocate(READ_BYTES);
            // The start, the end, and a place the input itself chooses.
            for (final long offset : new long[] {0, Math.max(0, image.sizeBytes() - READ_BYTES),
                input.length > 8 ? Math.floorMod(ByteBuffer.wrap(input, input.length - 8, 8).getLong(), Math.max(1, image.sizeBytes())) : 0})
            {
                dst.clear();
                try
                {
                    image.read(offset, dst);
                    if (dst.hasRemaining())
                    {
                        throw new AssertionError("read at " + offset + " left " + dst.remaining() + " bytes unfilled");
                    }
                }
                catch (final ImageCorruptException corrupt)
                {
                    // the request's EIO: expected for hostile tables
                }
            }
        }
    }

    private static Path directory()
    {
        try
        {
            final Path dir = Files.createTempDirectory("qcow2-fuzz");
            dir.toFile().deleteOnExit();
            return dir.toRealPath();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
