package io.vplane.engine.counters;

import org.agrona.IoUtil;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.concurrent.status.CountersReader;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * The memory-mapped counters file, like Aeron's CnC file: a 128-byte header, then Agrona's counter
 * metadata buffer, then its values buffer. The daemon creates it; {@code vplane stat} and anything
 * else map it read-only and read live values without asking the daemon.
 *
 * <pre>
 *   0  magic "VPLANECT" (long)      24  start time, epoch ms (long)
 *   8  layout version (int)          32  metadata buffer length (int)
 *  16  pid of the daemon (long)      36  values buffer length (int)
 * 128  metadata buffer, then values buffer
 * </pre>
 *
 * Closing unmaps the file: a {@link CountersReader} from it must not be used afterwards.
 */
public final class CountersFile implements AutoCloseable
{
    private static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-r-----");
    /** "VPLANECT" in file order, so the file starts with those eight ASCII characters. */
    public static final long MAGIC = ByteBuffer.wrap("VPLANECT".getBytes(StandardCharsets.US_ASCII))
        .order(ByteOrder.LITTLE_ENDIAN).getLong();
    public static final int LAYOUT_VERSION = 1;
    public static final int HEADER_LENGTH = 128;

    public static final int MAGIC_OFFSET = 0;
    public static final int VERSION_OFFSET = 8;
    public static final int PID_OFFSET = 16;
    public static final int START_TIME_OFFSET = 24;
    public static final int METADATA_LENGTH_OFFSET = 32;
    public static final int VALUES_LENGTH_OFFSET = 36;

    /** A freed counter's slot is not reused for this long, so readers notice it was freed. */
    public static final long FREE_TO_REUSE_TIMEOUT_MS = 1_000;

    private final Path path;
    private final MappedByteBuffer mapped;
    private final UnsafeBuffer header;
    private final CountersReader reader;
    private final ConcurrentCountersManager manager;
    private final Counters counters;
    private boolean closed;

    private CountersFile(
        final Path path,
        final MappedByteBuffer mapped,
        final UnsafeBuffer header,
        final CountersReader reader,
        final ConcurrentCountersManager manager)
    {
        this.path = path;
        this.mapped = mapped;
        this.header = header;
        this.reader = reader;
        this.manager = manager;
        this.counters = null == manager ? null : new Counters(manager);
    }

    /**
     * Creates the file, replacing any old one, with room for {@code maxCounters} counters.
     */
    public static CountersFile create(final Path file, final int maxCounters)
    {
        if (maxCounters <= 0)
        {
            throw new IllegalArgumentException("maxCounters must be positive: " + maxCounters);
        }
        final long metadataLength = (long)maxCounters * CountersReader.METADATA_LENGTH;
        final long valuesLength = (long)maxCounters * CountersReader.COUNTER_LENGTH;
        final long fileLength = HEADER_LENGTH + metadataLength + valuesLength;
        if (fileLength > Integer.MAX_VALUE)
        {
            throw new IllegalArgumentException("maxCounters too large for one mapping: " + maxCounters);
        }

        // Lay the file out under a temporary name and move it in place when its header is complete: a
        // reader never opens a half-built file, and a reader of an old file keeps its own old inode.
        final Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        final MappedByteBuffer mapped;
        try
        {
            final Path parent = file.toAbsolutePath().getParent();
            if (null != parent)
            {
                Files.createDirectories(parent);
            }
            Files.deleteIfExists(tmp);
            // O_EXCL|O_NOFOLLOW: a link planted under the temporary name is never written through.
            // 0640 whatever the umask: the counters name every device, port, disk and tenant; the
            // run directory's group (management.socketGroup) may read them, nobody else.
            try (FileChannel channel = FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS), PosixFilePermissions.asFileAttribute(FILE_MODE)))
            {
                mapped = channel.map(FileChannel.MapMode.READ_WRITE, 0, fileLength); // grows the file, zero-filled
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot create counters file " + file, ex);
        }

        final UnsafeBuffer header = new UnsafeBuffer(mapped, 0, HEADER_LENGTH);
        header.putLong(PID_OFFSET, ProcessHandle.current().pid());
        header.putLong(START_TIME_OFFSET, System.currentTimeMillis());
        header.putInt(METADATA_LENGTH_OFFSET, (int)metadataLength);
        header.putInt(VALUES_LENGTH_OFFSET, (int)valuesLength);
        // Magic last, with release ordering: whoever sees it sees a complete header.
        header.putIntRelease(VERSION_OFFSET, LAYOUT_VERSION);
        header.putLongRelease(MAGIC_OFFSET, MAGIC);

        final ConcurrentCountersManager manager = new ConcurrentCountersManager(
            new UnsafeBuffer(mapped, HEADER_LENGTH, (int)metadataLength),
            new UnsafeBuffer(mapped, HEADER_LENGTH + (int)metadataLength, (int)valuesLength),
            SystemEpochClock.INSTANCE,
            FREE_TO_REUSE_TIMEOUT_MS);

        try
        {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        catch (final IOException ex)
        {
            IoUtil.unmap(mapped);
            throw new UncheckedIOException("cannot create counters file " + file, ex);
        }

        return new CountersFile(file, mapped, header, manager, manager);
    }

    /**
     * Maps an existing counters file for reading.
     *
     * @throws IllegalStateException when there is no file, or it is not a counters file this version can read
     */
    public static CountersFile openReadOnly(final Path file)
    {
        if (!Files.exists(file))
        {
            throw new IllegalStateException("no counters file at " + file + ": is the daemon running with this run directory?");
        }

        final MappedByteBuffer mapped;
        try
        {
            final long size = Files.size(file);
            if (size < HEADER_LENGTH)
            {
                throw new IllegalStateException(file + " is not a vplane counters file: only " + size + " bytes long");
            }
            mapped = IoUtil.mapExistingFile(file.toFile(), FileChannel.MapMode.READ_ONLY, "counters");
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read counters file " + file, ex);
        }

        try
        {
            final UnsafeBuffer header = new UnsafeBuffer(mapped, 0, HEADER_LENGTH);
            final long magic = header.getLongAcquire(MAGIC_OFFSET);
            if (MAGIC != magic)
            {
                throw new IllegalStateException(file + " is not a vplane counters file (magic 0x" +
                    Long.toHexString(magic) + ", expected 0x" + Long.toHexString(MAGIC) + ")");
            }
            final int version = header.getInt(VERSION_OFFSET);
            if (LAYOUT_VERSION != version)
            {
                throw new IllegalStateException(file + " has counters layout version " + version +
                    ", this vplane reads version " + LAYOUT_VERSION + " (daemon and CLI are different versions?)");
            }
            final int metadataLength = header.getInt(METADATA_LENGTH_OFFSET);
            final int valuesLength = header.getInt(VALUES_LENGTH_OFFSET);
            if (metadataLength < 0 || valuesLength < 0 ||
                (long)HEADER_LENGTH + metadataLength + valuesLength > mapped.capacity())
            {
                throw new IllegalStateException(file + " is damaged: its header describes " + metadataLength + " + " +
                    valuesLength + " bytes of buffers but the file has " + mapped.capacity());
            }

            final CountersReader reader = new CountersReader(
                new UnsafeBuffer(mapped, HEADER_LENGTH, metadataLength),
                new UnsafeBuffer(mapped, HEADER_LENGTH + metadataLength, valuesLength),
                StandardCharsets.US_ASCII);

            return new CountersFile(file, mapped, header, reader, null);
        }
        catch (final RuntimeException ex)
        {
            IoUtil.unmap(mapped);
            throw ex;
        }
    }

    /** Allocates counters; only for a file this process created. */
    public Counters counters()
    {
        if (null == counters)
        {
            throw new IllegalStateException("counters file " + path + " is open read-only");
        }
        return counters;
    }

    /** The manager of a file this process created; allocation and freeing on it are thread-safe. */
    public CountersManager manager()
    {
        if (null == manager)
        {
            throw new IllegalStateException("counters file " + path + " is open read-only");
        }
        return manager;
    }

    public CountersReader reader()
    {
        return reader;
    }

    /** Pid of the daemon that created the file. */
    public long pid()
    {
        return header.getLong(PID_OFFSET);
    }

    /** When the daemon created the file, in epoch milliseconds. */
    public long startTimeMs()
    {
        return header.getLong(START_TIME_OFFSET);
    }

    public int maxCounters()
    {
        return header.getInt(VALUES_LENGTH_OFFSET) / CountersReader.COUNTER_LENGTH;
    }

    public Path path()
    {
        return path;
    }

    /** Unmaps the file; the file stays (the daemon deletes it when it stops). */
    @Override
    public void close()
    {
        if (!closed)
        {
            closed = true;
            IoUtil.unmap(mapped);
        }
    }
}
