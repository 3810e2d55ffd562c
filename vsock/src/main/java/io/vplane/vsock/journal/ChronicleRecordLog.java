package io.vplane.vsock.journal;

import io.vplane.vsock.control.RecordLog;
import net.openhft.chronicle.bytes.SyncMode;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.Consumer;

/**
 * The command journal's records in a Chronicle Queue (a directory of memory-mapped cycle files),
 * each record one excerpt ({@code | length u32 | payload |}). A durable append (a new command)
 * fdatasyncs the queue's current cycle file before it returns, which writes the mapped pages the
 * excerpt dirtied, and the directory once per new cycle file: the command is on disk before it is
 * sent. State changes are not synced, as with the file journal. (Chronicle's own
 * {@link SyncMode#SYNC} msyncs every excerpt, state changes too: about a quarter of a second per
 * append on a loaded machine.) A write cut by a crash stays an incomplete excerpt, which a tailer
 * never reads. Opening replays every excerpt from the start.
 * <p>
 * One appender serves every thread (the management thread adds commands, each VM's link records
 * their states): its use is serialized by this object's monitor, so Chronicle's check that an
 * appender stays on the thread that first used it is switched off; left on, it failed the first
 * state change a link made.
 */
public final class ChronicleRecordLog implements RecordLog
{
    static
    {
        // never report usage (bin/jvm.options sets it too, and the analytics jar is left out of the build)
        System.setProperty("chronicle.analytics.disable", "true");
    }

    private final Path dir;
    private final ChronicleQueue queue;
    private final ExcerptAppender appender;
    private File syncedFile;
    private FileChannel sync;

    private ChronicleRecordLog(final Path dir, final ChronicleQueue queue)
    {
        this.dir = dir;
        this.queue = queue;
        this.appender = queue.createAppender();
        appender.singleThreadedCheckDisabled(true);
    }

    /**
     * Opens (creating) the queue directory {@code dir} and replays its records; see
     * {@link RecordLog.Opener}. A journal file of an earlier version found there is moved into the
     * queue first ({@link JournalMigration}).
     */
    public static RecordLog open(final Path dir, final Consumer<ByteBuffer> replay) throws IOException
    {
        JournalMigration.migrateIfOld(dir);
        Files.createDirectories(dir);
        final ChronicleQueue queue = SingleChronicleQueueBuilder.single(dir.toFile()).syncMode(SyncMode.NONE).build();
        try
        {
            try (ExcerptTailer tailer = queue.createTailer())
            {
                boolean more = true;
                while (more)
                {
                    more = tailer.readBytes(in ->
                    {
                        final byte[] payload = new byte[in.readInt()];
                        in.read(payload);
                        replay.accept(ByteBuffer.wrap(payload));
                    });
                }
            }
            return new ChronicleRecordLog(dir, queue);
        }
        catch (final RuntimeException ex)
        {
            queue.close();
            throw new IOException("command journal " + dir + ": " + ex.getMessage(), ex);
        }
    }

    @Override
    public synchronized void append(final ByteBuffer payload, final boolean durable) throws IOException
    {
        final byte[] bytes = new byte[payload.remaining()];
        payload.duplicate().get(bytes);
        appender.writeBytes(out -> out.writeInt(bytes.length).write(bytes));
        if (durable)
        {
            final File file = appender.currentFile();
            if (!file.equals(syncedFile))
            {
                // a new cycle file (first append, or the queue rolled): its directory entry must reach the disk too
                closeSync();
                sync = FileChannel.open(file.toPath(), StandardOpenOption.WRITE);
                syncedFile = file;
                try (FileChannel directory = FileChannel.open(dir, StandardOpenOption.READ))
                {
                    directory.force(true);
                }
            }
            sync.force(false);
        }
    }

    private void closeSync() throws IOException
    {
        if (null != sync)
        {
            sync.close();
            sync = null;
            syncedFile = null;
        }
    }

    @Override
    public synchronized void close() throws IOException
    {
        try
        {
            closeSync();
        }
        finally
        {
            appender.close();
            queue.close();
        }
    }
}
