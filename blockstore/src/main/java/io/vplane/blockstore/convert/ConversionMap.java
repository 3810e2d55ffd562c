package io.vplane.blockstore.convert;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Which chunks of a conversion's target hold the disk's data (copied from the source or written by
 * the VM): one bit per chunk, kept in memory and saved to a file beside the target.
 * <p>
 * Crash safety: {@link #save} takes the bits, makes the target durable, and only then replaces the
 * file (written to a temporary file, synced, renamed, directory synced). A chunk is marked only
 * after its data was written to the target, so every bit in the file names data that was durable
 * before the file was. After a crash, a chunk the file does not mark is copied from the source
 * again: what the VM wrote there was not yet flushed, so reading the source's bytes is allowed.
 * <pre>
 *  0 magic "VPCONV01"   8 sizeBytes (u64)   16 chunkBytes (u32)   20 source length (u32)
 * 24 target length (u32)  28 copy rate, bytes/s (u64)  36 source spec (UTF-8)  then target image (UTF-8), padded to 8
 * then ceil(chunks / 64) little-endian u64 words of bits
 * </pre>
 */
public final class ConversionMap
{
    public static final String SUFFIX = ".convert-map";
    private static final long MAGIC = 0x3130564e4f435056L; // "VPCONV01" read little-endian
    private static final int FIXED_BYTES = 36;
    private static final int MAX_SPEC_BYTES = 4096;

    private final Path file;
    private final String source;
    private final String target;
    private final long sizeBytes;
    private final int chunkBytes;
    private final int chunks;
    /** The copier's rate the operator chose, kept so a restart resumes at it. */
    private volatile long rateBytesPerSec;
    private final AtomicLongArray bits;
    private final Object saving = new Object();
    private long[] saved;

    private ConversionMap(final Path file, final String source, final String target, final long sizeBytes, final int chunkBytes,
        final long rateBytesPerSec, final long[] initial)
    {
        this.rateBytesPerSec = rateBytesPerSec;
        this.file = file;
        this.source = source;
        this.target = target;
        this.sizeBytes = sizeBytes;
        this.chunkBytes = chunkBytes;
        this.chunks = (int)((sizeBytes + chunkBytes - 1) / chunkBytes);
        this.bits = new AtomicLongArray(initial);
        this.saved = initial.clone();
    }

    /** A new map with no chunk done; saved at once so a crash before the first flush still resumes. */
    public static ConversionMap create(final Path file, final String source, final String target, final long sizeBytes,
        final int chunkBytes, final long rateBytesPerSec) throws IOException
    {
        if (chunkBytes <= 0 || (chunkBytes & (chunkBytes - 1)) != 0)
        {
            throw new IllegalArgumentException("chunk size " + chunkBytes + " must be a power of two");
        }
        final long chunks = (sizeBytes + chunkBytes - 1) / chunkBytes;
        if (chunks > Integer.MAX_VALUE - 64)
        {
            throw new IllegalArgumentException("a disk of " + sizeBytes + " bytes has too many chunks of " + chunkBytes + " bytes");
        }
        final ConversionMap map = new ConversionMap(file, source, target, sizeBytes, chunkBytes, rateBytesPerSec,
            new long[(int)((chunks + 63) / 64)]);
        map.write(map.saved);
        return map;
    }

    /** Reads a map a conversion saved; refuses a file that does not parse or does not fit its own sizes. */
    public static ConversionMap load(final Path file) throws IOException
    {
        final long length = Files.size(file);
        if (length < FIXED_BYTES || length > (64L << 20))
        {
            throw new IOException("conversion map " + file + " of " + length + " bytes is not one");
        }
        final ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        final long sizeBytes = b.getLong(8);
        final int chunkBytes = b.getInt(16);
        final int sourceBytes = b.getInt(20);
        final int targetBytes = b.getInt(24);
        final long rate = b.getLong(28);
        if (b.getLong(0) != MAGIC || rate < 0 || sizeBytes <= 0 || chunkBytes <= 0 || (chunkBytes & (chunkBytes - 1)) != 0 ||
            sourceBytes <= 0 || sourceBytes > MAX_SPEC_BYTES || targetBytes <= 0 || targetBytes > MAX_SPEC_BYTES)
        {
            throw new IOException("conversion map " + file + " has a bad header");
        }
        final long chunks = (sizeBytes + chunkBytes - 1) / chunkBytes;
        final int bitsAt = (FIXED_BYTES + sourceBytes + targetBytes + 7) & ~7;
        if (chunks > Integer.MAX_VALUE - 64 || bitsAt + (chunks + 63) / 64 * 8 != b.limit())
        {
            throw new IOException("conversion map " + file + " does not hold the bits of " + chunks + " chunks");
        }
        final String source = new String(b.array(), FIXED_BYTES, sourceBytes, StandardCharsets.UTF_8);
        final String target = new String(b.array(), FIXED_BYTES + sourceBytes, targetBytes, StandardCharsets.UTF_8);
        final long[] words = new long[(int)((chunks + 63) / 64)];
        b.position(bitsAt);
        b.asLongBuffer().get(words);
        return new ConversionMap(file, source, target, sizeBytes, chunkBytes, rate, words);
    }

    public Path file()
    {
        return file;
    }

    /** The source image, as the conversion named it ("qcow2:PATH", "raw:PATH"). */
    public String source()
    {
        return source;
    }

    /** The target, as a disk image names it (a raw file path or an rbd:// URI). */
    public String target()
    {
        return target;
    }

    public long sizeBytes()
    {
        return sizeBytes;
    }

    public int chunkBytes()
    {
        return chunkBytes;
    }

    public long rateBytesPerSec()
    {
        return rateBytesPerSec;
    }

    /** A new rate, saved with the next change of the bits. */
    public void rateBytesPerSec(final long rate)
    {
        rateBytesPerSec = rate;
    }

    public int chunks()
    {
        return chunks;
    }

    public boolean done(final int chunk)
    {
        return (bits.getAcquire(chunk >>> 6) & 1L << chunk) != 0;
    }

    /** Marks a chunk whose data is in the target (after the write, never before). */
    public void markDone(final int chunk)
    {
        final int word = chunk >>> 6;
        final long bit = 1L << chunk;
        long before;
        do
        {
            before = bits.get(word);
        }
        while ((before & bit) == 0 && !bits.compareAndSet(word, before, before | bit));
    }

    public int doneChunks()
    {
        int n = 0;
        for (int i = 0; i < bits.length(); i++)
        {
            n += Long.bitCount(bits.get(i));
        }
        return n;
    }

    /** Bytes of the disk already in the target (the last chunk counted by its real length). */
    public long doneBytes()
    {
        final long done = (long)doneChunks() * chunkBytes;
        return chunks > 0 && done(chunks - 1) ? done - ((long)chunks * chunkBytes - sizeBytes) : done;
    }

    /**
     * Makes the target durable, then saves the bits taken before, if they changed since the last save.
     *
     * @param flushTarget makes every write to the target so far durable
     */
    public void save(final IoAction flushTarget) throws IOException
    {
        synchronized (saving)
        {
            final long[] now = new long[bits.length()];
            for (int i = 0; i < now.length; i++)
            {
                now[i] = bits.get(i);
            }
            flushTarget.run();
            if (!Arrays.equals(now, saved))
            {
                write(now);
                saved = now;
            }
        }
    }

    /** Something that may fail with an IOException (a flush). */
    @FunctionalInterface
    public interface IoAction
    {
        void run() throws IOException;
    }

    /** Removes the map: the conversion finished and the disk serves from the target alone. */
    public void delete() throws IOException
    {
        synchronized (saving)
        {
            Files.deleteIfExists(file);
            syncDirectory();
        }
    }

    private void write(final long[] words) throws IOException
    {
        final byte[] sourceBytes = source.getBytes(StandardCharsets.UTF_8);
        final byte[] targetBytes = target.getBytes(StandardCharsets.UTF_8);
        final int bitsAt = (FIXED_BYTES + sourceBytes.length + targetBytes.length + 7) & ~7;
        final ByteBuffer b = ByteBuffer.allocate(bitsAt + words.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(0, MAGIC).putLong(8, sizeBytes).putInt(16, chunkBytes).putInt(20, sourceBytes.length).putInt(24, targetBytes.length)
            .putLong(28, rateBytesPerSec);
        b.put(FIXED_BYTES, sourceBytes).put(FIXED_BYTES + sourceBytes.length, targetBytes);
        b.position(bitsAt);
        b.asLongBuffer().put(words);
        b.position(0);
        final Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel out = FileChannel.open(temporary, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS))
        {
            while (b.hasRemaining())
            {
                out.write(b);
            }
            out.force(true);
        }
        Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        syncDirectory();
    }

    private void syncDirectory() throws IOException
    {
        try (FileChannel dir = FileChannel.open(file.toAbsolutePath().getParent(), StandardOpenOption.READ))
        {
            dir.force(true);
        }
    }
}
