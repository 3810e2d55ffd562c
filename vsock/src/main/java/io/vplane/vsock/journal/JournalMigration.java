package io.vplane.vsock.journal;

import io.vplane.vsock.control.RecordFile;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Moves a command journal written by earlier versions (one {@link RecordFile} at the journal's
 * path) into a Chronicle Queue directory at the same path, so an upgraded daemon keeps every
 * command and state. The old file is never changed: it is kept beside as {@code NAME.old-format}.
 * Crash-safe: the queue is built and synced under {@code NAME.migrating}, then the file and the
 * directory are renamed; a migration cut between the two renames is finished on the next open,
 * one cut earlier starts again. A file with no whole record is not taken for a journal: refused.
 */
final class JournalMigration
{
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(JournalMigration.class);

    private JournalMigration()
    {
    }

    /** Leaves a Chronicle Queue directory (or nothing) at {@code journal}, migrating a record file found there. */
    static void migrateIfOld(final Path journal) throws IOException
    {
        final Path kept = journal.resolveSibling(journal.getFileName() + ".old-format");
        final Path partial = journal.resolveSibling(journal.getFileName() + ".migrating");
        if (!Files.exists(journal) && Files.isDirectory(partial) && Files.isRegularFile(kept))
        {
            Files.move(partial, journal, StandardCopyOption.ATOMIC_MOVE);
            syncDirectory(journal.toAbsolutePath().getParent());
            LOG.info("command journal " + journal + ": finished moving it into a Chronicle Queue (the earlier file is " + kept + ")");
            return;
        }
        if (!Files.isRegularFile(journal))
        {
            return;
        }
        final List<ByteBuffer> records = new ArrayList<>();
        final long whole = RecordFile.read(journal, records::add);
        final long size = Files.size(journal);
        if (records.isEmpty() && size > 0)
        {
            throw new IOException("command journal " + journal + " is a file of " + size + " bytes with no whole journal record: "
                + "not a command journal of an earlier version; move it away or set control.journalFile to another name");
        }
        if (Files.exists(kept))
        {
            throw new IOException("command journal " + journal + " is a journal file of an earlier version, but " + kept
                + " (where it would be kept) exists already; move one of them away");
        }
        deleteTree(partial);
        try (var log = ChronicleRecordLog.open(partial, record -> { }))
        {
            for (final ByteBuffer record : records)
            {
                log.append(record, true);
            }
        }
        Files.move(journal, kept, StandardCopyOption.ATOMIC_MOVE);
        Files.move(partial, journal, StandardCopyOption.ATOMIC_MOVE);
        syncDirectory(journal.toAbsolutePath().getParent());
        LOG.info("command journal " + journal + ": moved " + records.size() + " records from the file of an earlier version "
            + "into a Chronicle Queue; the file is kept as " + kept
            + (whole != size ? " (its last " + (size - whole) + " bytes, a record cut by a crash, were not moved)" : ""));
    }

    private static void syncDirectory(final Path dir) throws IOException
    {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ))
        {
            channel.force(true);
        }
    }

    private static void deleteTree(final Path dir) throws IOException
    {
        if (!Files.exists(dir))
        {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir))
        {
            for (final Path path : paths.sorted(Comparator.reverseOrder()).toList())
            {
                Files.delete(path);
            }
        }
    }
}
