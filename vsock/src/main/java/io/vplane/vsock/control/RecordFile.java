package io.vplane.vsock.control;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.Consumer;
import java.util.zip.CRC32C;

/**
 * An append-only file of records, durable before {@link #append} returns when asked (fdatasync):
 * <pre>
 *   | length u32 | crc32c u32 (of the payload) | payload (length bytes) |
 * </pre>
 * Opening replays every whole record; a torn or corrupt tail (a crash during an append) is cut
 * off, so what was acknowledged to a caller is never lost and a half-written record never read.
 */
public final class RecordFile implements RecordLog
{
    private static final int MAX_RECORD = 64 * 1024;

    private final FileChannel file;

    private RecordFile(final FileChannel file)
    {
        this.file = file;
    }

    /** Opens (creating) {@code path} and hands each whole record's payload to {@code replay}, in order. */
    static RecordFile open(final Path path, final Consumer<ByteBuffer> replay) throws IOException
    {
        final FileChannel file = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        final long at = replay(file, replay);
        if (at != file.size())
        {
            file.truncate(at);
            file.force(true);
        }
        file.position(at);
        return new RecordFile(file);
    }

    /**
     * Hands each whole record of an existing file to {@code replay}, in order, without changing
     * the file (a journal of this format being moved to another).
     *
     * @return the bytes the whole records take; the rest of the file is a torn or corrupt tail
     */
    public static long read(final Path path, final Consumer<ByteBuffer> replay) throws IOException
    {
        try (FileChannel file = FileChannel.open(path, StandardOpenOption.READ))
        {
            return replay(file, replay);
        }
    }

    private static long replay(final FileChannel file, final Consumer<ByteBuffer> replay) throws IOException
    {
        final long size = file.size();
        long at = 0;
        final ByteBuffer head = ByteBuffer.allocate(8);
        while (at + 8 <= size)
        {
            head.clear();
            file.read(head, at);
            final int length = head.getInt(0);
            final int crc = head.getInt(4);
            if (length < 0 || length > MAX_RECORD || at + 8 + length > size)
            {
                break;
            }
            final ByteBuffer payload = ByteBuffer.allocate(length);
            file.read(payload, at + 8);
            payload.flip();
            if (crc(payload) != crc)
            {
                break;
            }
            replay.accept(payload);
            at += 8 + length;
        }
        return at;
    }

    synchronized void append(final ByteBuffer payload) throws IOException
    {
        append(payload, true);
    }

    /** @param durable fdatasync before returning; otherwise the record may be lost in a crash (never torn: the tail is cut) */
    @Override
    public synchronized void append(final ByteBuffer payload, final boolean durable) throws IOException
    {
        final ByteBuffer record = ByteBuffer.allocate(8 + payload.remaining());
        record.putInt(payload.remaining()).putInt(crc(payload.duplicate())).put(payload.duplicate()).flip();
        while (record.hasRemaining())
        {
            file.write(record);
        }
        if (durable)
        {
            file.force(false);
        }
    }

    private static int crc(final ByteBuffer payload)
    {
        final CRC32C crc = new CRC32C();
        crc.update(payload.duplicate());
        return (int)crc.getValue();
    }

    @Override
    public void close() throws IOException
    {
        file.close();
    }
}
