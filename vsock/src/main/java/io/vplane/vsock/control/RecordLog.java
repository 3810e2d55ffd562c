package io.vplane.vsock.control;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * An append-only log of records under the host's command journal: opening it replays every whole
 * record in order; an append asked to be durable is on disk when it returns; a crash never leaves
 * a half-written record to be read.
 */
public interface RecordLog extends AutoCloseable
{
    void append(ByteBuffer payload, boolean durable) throws IOException;

    @Override
    void close() throws IOException;

    /** Opens (creating) the log at a path and hands each whole record's payload to {@code replay}. */
    @FunctionalInterface
    interface Opener
    {
        RecordLog open(Path path, Consumer<ByteBuffer> replay) throws IOException;
    }
}
