package io.vplane.blockstore.qos;

import com.sun.nio.file.ExtendedOpenOption;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Measures what the storage under a directory sustains, once at start ({@code nbd.qos.measure}):
 * a scratch file is written, then read by several threads at once, first in 4 KiB blocks at random
 * offsets (operations per second), then in 1 MiB blocks in order (bytes per second), each for the
 * time given; the file is removed after. Reads bypass the page cache (O_DIRECT) where the file
 * system allows it, so the figure is the device's, not memory's; where it does not (tmpfs), the
 * result says so. Control thread only, before the disks open.
 */
public final class CapacityProbe
{
    static final int SMALL = 4096;
    static final int LARGE = 1 << 20;
    private static final int ALIGNMENT = 4096;

    private final Path directory;
    private final long fileBytes;
    private final long runNs;
    private final int threads;
    private final LongSupplier clock;

    /**
     * @param directory where the scratch file goes (the image directory)
     * @param fileBytes size of the scratch file, a multiple of 1 MiB
     * @param runNs     how long each of the two measurements runs
     * @param threads   readers at once (the queue depth)
     */
    public CapacityProbe(final Path directory, final long fileBytes, final long runNs, final int threads, final LongSupplier clock)
    {
        if (fileBytes < LARGE || fileBytes % LARGE != 0)
        {
            throw new IllegalArgumentException("scratch file size must be a positive multiple of 1 MiB: " + fileBytes);
        }
        this.directory = directory;
        this.fileBytes = fileBytes;
        this.runNs = runNs;
        this.threads = threads;
        this.clock = clock;
    }

    /**
     * What was measured.
     *
     * @param iops        4 KiB random reads per second
     * @param bytesPerSec bytes per second read in 1 MiB blocks
     * @param direct      whether the reads bypassed the page cache
     */
    public record Capacity(long iops, long bytesPerSec, boolean direct)
    {
        public String describe()
        {
            return iops + " IOPS (4 KiB random reads), " + bytesPerSec + " bytes/s (1 MiB reads), " +
                (direct ? "O_DIRECT" : "through the page cache: the file system refused O_DIRECT, so this is memory's speed");
        }
    }

    public Capacity measure() throws IOException
    {
        final Path scratch = Files.createTempFile(directory, ".vplane-capacity-", ".tmp");
        try
        {
            fill(scratch);
            final boolean direct = directWorks(scratch);
            final long iops = run(scratch, direct, SMALL, true);
            final long bytesPerSec = run(scratch, direct, LARGE, false) * LARGE;
            return new Capacity(iops, bytesPerSec, direct);
        }
        finally
        {
            Files.deleteIfExists(scratch);
        }
    }

    private void fill(final Path scratch) throws IOException
    {
        try (FileChannel channel = FileChannel.open(scratch, StandardOpenOption.WRITE))
        {
            final ByteBuffer block = ByteBuffer.allocateDirect(LARGE);
            final byte[] noise = new byte[LARGE];
            ThreadLocalRandom.current().nextBytes(noise);
            block.put(noise).flip();
            for (long offset = 0; offset < fileBytes; offset += LARGE)
            {
                block.rewind();
                while (block.hasRemaining())
                {
                    channel.write(block, offset + block.position());
                }
            }
            channel.force(false);
        }
    }

    private static boolean directWorks(final Path scratch)
    {
        try (FileChannel channel = open(scratch, true))
        {
            channel.read(aligned(SMALL), 0);
            return true;
        }
        catch (final IOException | UnsupportedOperationException ex)
        {
            return false;
        }
    }

    /** Reads for {@link #runNs} with {@link #threads} threads; @return reads completed per second */
    private long run(final Path scratch, final boolean direct, final int size, final boolean random) throws IOException
    {
        final AtomicLong reads = new AtomicLong();
        final List<Thread> readers = new ArrayList<>(threads);
        final List<IOException> failures = new ArrayList<>();
        final long start = clock.getAsLong();
        final long end = start + runNs;
        for (int t = 0; t < threads; t++)
        {
            final long firstBlock = t * (fileBytes / size / threads);
            final Thread reader = Thread.ofPlatform().name("vplane-capacity-" + t).start(() ->
            {
                try (FileChannel channel = open(scratch, direct))
                {
                    final ByteBuffer buffer = aligned(size);
                    final long blocks = fileBytes / size;
                    long next = firstBlock;
                    while (clock.getAsLong() - end < 0)
                    {
                        final long block = random ? ThreadLocalRandom.current().nextLong(blocks) : next++ % blocks;
                        buffer.clear().limit(size);
                        while (buffer.hasRemaining())
                        {
                            if (channel.read(buffer, block * size + buffer.position()) < 0)
                            {
                                break;
                            }
                        }
                        reads.getAndIncrement();
                    }
                }
                catch (final IOException ex)
                {
                    synchronized (failures)
                    {
                        failures.add(ex);
                    }
                }
            });
            readers.add(reader);
        }
        for (final Thread reader : readers)
        {
            try
            {
                reader.join();
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new IOException("capacity measurement interrupted", ex);
            }
        }
        if (!failures.isEmpty())
        {
            throw failures.getFirst();
        }
        final long elapsedNs = Math.max(1, clock.getAsLong() - start);
        return reads.get() * 1_000_000_000L / elapsedNs;
    }

    private static FileChannel open(final Path file, final boolean direct) throws IOException
    {
        final OpenOption[] options = direct ?
            new OpenOption[] {StandardOpenOption.READ, ExtendedOpenOption.DIRECT} : new OpenOption[] {StandardOpenOption.READ};
        return FileChannel.open(file, options);
    }

    private static ByteBuffer aligned(final int size)
    {
        return ByteBuffer.allocateDirect(size + ALIGNMENT).alignedSlice(ALIGNMENT).limit(size);
    }
}
