package io.vplane.engine.daemon;

import io.vplane.engine.confine.OwnDirectory;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;

/**
 * Makes sure one daemon at a time uses a run directory: an exclusive OS lock on the lock file,
 * which the kernel releases if the process dies, so a crashed daemon never blocks the next start.
 */
final class RunDirectoryLock implements AutoCloseable
{
    private final RunDirectory runDirectory;
    private final FileChannel channel;
    private final FileLock lock;

    private RunDirectoryLock(final RunDirectory runDirectory, final FileChannel channel, final FileLock lock)
    {
        this.runDirectory = runDirectory;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * @param group group given access to the run directory, for callers of the management socket; empty for none
     */
    static RunDirectoryLock acquire(final RunDirectory runDirectory, final String group) throws IOException
    {
        OwnDirectory.prepare(runDirectory.dir(), group);
        final FileChannel channel = RunFiles.openLock(runDirectory.lockFile());
        FileLock lock;
        try
        {
            lock = channel.tryLock();
        }
        catch (final OverlappingFileLockException ex)
        {
            lock = null;
        }
        if (null == lock)
        {
            channel.close();
            throw new IllegalStateException("another vplane daemon" + owner(runDirectory) + " is already running with run directory " +
                runDirectory.dir() + "; stop it first, or give this one another daemon.runDir");
        }
        return new RunDirectoryLock(runDirectory, channel, lock);
    }

    @Override
    public void close() throws IOException
    {
        Files.deleteIfExists(runDirectory.lockFile());
        lock.release();
        channel.close();
    }

    private static String owner(final RunDirectory runDirectory)
    {
        try
        {
            return " (pid " + Files.readString(runDirectory.pidFile()).trim() + ")";
        }
        catch (final NoSuchFileException ex)
        {
            return "";
        }
        catch (final IOException ex)
        {
            return "";
        }
    }
}
