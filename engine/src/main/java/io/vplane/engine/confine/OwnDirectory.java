package io.vplane.engine.confine;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * A directory only the daemon may change, such as the run directory: created 0700 (0750 with a
 * group, for callers of the management socket), and when it already exists, used only if it is a
 * real directory (no symbolic link) of the daemon's user that neither group nor others can write.
 * Another user who created it first, or can write into it, could otherwise plant links where the
 * daemon writes its pid, lock and counters files.
 */
public final class OwnDirectory
{
    private OwnDirectory()
    {
    }

    /**
     * @param group group given read and search access; empty for none
     * @throws IOException when it cannot be created, or exists and may not be trusted
     */
    public static Path prepare(final Path dir, final String group) throws IOException
    {
        final String mode = group.isEmpty() ? "rwx------" : "rwxr-x---";
        boolean created = false;
        try
        {
            final Path parent = dir.toAbsolutePath().getParent();
            if (null != parent)
            {
                Files.createDirectories(parent);
            }
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(mode)));
            created = true;
        }
        catch (final FileAlreadyExistsException ex)
        {
            checkTrusted(dir);
        }
        final PosixFileAttributeView view = Files.getFileAttributeView(dir, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
        if (!group.isEmpty())
        {
            final GroupPrincipal principal = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByGroupName(group);
            view.setGroup(principal);
        }
        if (created || !group.isEmpty())
        {
            // The umask may have taken bits off the mode asked for at creation.
            view.setPermissions(PosixFilePermissions.fromString(mode));
        }
        return dir;
    }

    /**
     * @throws IOException when the path is missing, not a directory, a symbolic link, another user's,
     *                     or writable by group or others
     */
    public static void checkTrusted(final Path dir) throws IOException
    {
        final int mode;
        final int owner;
        try
        {
            mode = (Integer)Files.getAttribute(dir, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            owner = (Integer)Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        }
        catch (final NoSuchFileException ex)
        {
            throw new IOException(dir + " does not exist", ex);
        }
        if ((mode & FileMode.TYPE_MASK) != FileMode.DIRECTORY)
        {
            throw new IOException(dir + " is not a directory (or is a symbolic link); refusing to use it");
        }
        if (owner != DaemonUser.uid())
        {
            throw new IOException(dir + " belongs to uid " + owner + ", not to uid " + DaemonUser.uid() +
                " that vplane runs as; refusing to use it");
        }
        if ((mode & FileMode.GROUP_OR_OTHERS_WRITE) != 0)
        {
            throw new IOException(dir + " is writable by group or others (mode " + Integer.toOctalString(mode & 07777) +
                "); refusing to use it");
        }
    }
}
