package io.vplane.vsock.control;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The agent's record of the commands it applied, by id, with their results: a command that comes
 * again (the host re-sends what it saw no result for) gets the same result without being applied
 * twice, also after the agent restarted. Records: {@code id u64 | status u8 | reason (UTF-8)}.
 */
public final class AppliedJournal implements AutoCloseable
{
    private final Map<Long, ControlFrame> results = new HashMap<>();
    private final RecordFile file;
    private int records;

    public AppliedJournal(final Path path) throws IOException
    {
        this.file = RecordFile.open(path, record ->
        {
            final long id = record.getLong();
            final int status = record.get() & 0xFF;
            final byte[] reason = new byte[record.remaining()];
            record.get(reason);
            results.put(id, ControlFrame.result(id, status, new String(reason, StandardCharsets.UTF_8)));
            records++;
        });
    }

    /** The result of command {@code id} if it was applied, else null. */
    public synchronized ControlFrame result(final long id)
    {
        return results.get(id);
    }

    /** Durable before it returns. */
    public synchronized void record(final ControlFrame result) throws IOException
    {
        final byte[] reason = result.text().getBytes(StandardCharsets.UTF_8);
        file.append(ByteBuffer.allocate(9 + reason.length).putLong(result.id()).put((byte)result.status()).put(reason).flip());
        results.put(result.id(), result);
        records++;
    }

    public synchronized int size()
    {
        return results.size();
    }

    /** Records in the file: more than {@link #size()} would mean a command was applied twice. */
    public synchronized int records()
    {
        return records;
    }

    @Override
    public void close() throws IOException
    {
        file.close();
    }
}
