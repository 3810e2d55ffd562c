package io.vplane.engine.daemon;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Opens the daemon's own files in its run directory without following symbolic links (O_NOFOLLOW)
 * and creates them exclusively (O_EXCL): a link planted there can neither redirect a write nor be
 * written through. What a crashed daemon left behind is removed first; unlinking a link removes
 * the link, never its target.
 */
final class RunFiles
{
    private RunFiles()
    {
    }

    /** Writes a small text file (pid, URL), replacing one left by an earlier daemon. */
    static void write(final Path file, final String text) throws IOException
    {
        Files.deleteIfExists(file);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
            LinkOption.NOFOLLOW_LINKS))
        {
            final ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
            while (bytes.hasRemaining())
            {
                channel.write(bytes);
            }
        }
    }

    /**
     * The lock file is created when missing and kept when present: another daemon may hold a lock
     * on the one that is there, and replacing it would let both run.
     */
    static FileChannel openLock(final Path file) throws IOException
    {
        try
        {
            return FileChannel.open(file, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        }
        catch (final FileAlreadyExistsException ex)
        {
            if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS))
            {
                throw new IOException(file + " is not a regular file; refusing to use it as the lock", ex);
            }
            return FileChannel.open(file, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
        }
    }
}
