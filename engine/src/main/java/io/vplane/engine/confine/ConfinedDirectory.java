package io.vplane.engine.confine;

import io.vplane.config.VplaneConfig;
import io.vplane.engine.linux.Errno;
import io.vplane.engine.linux.FileAt;
import io.vplane.engine.linux.FileIo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The directories a kind of path named by the config or the API must stay in (disk images in the
 * image directories, vhost-user sockets in the socket directory). A name is refused when it has a
 * {@code ..} component, lies outside every directory, or passes through a symbolic link below the
 * directory, so neither a crafted name nor a link planted in the directory reaches another file.
 * The directories themselves may be links an operator made; they are resolved once, here.
 * <p>
 * The check on names is not enough on its own: anyone who may write below a directory could swap a
 * component for a link between the check and the use. So a checked name is then opened, and
 * deleted, relative to a descriptor of its directory with openat2(2) refusing {@code ..}, links
 * and magic links in every component ({@link #open}, {@link #openParent}); the kernel walks the
 * name once, so what is checked is what is opened. A kernel without openat2 (before Linux 5.6)
 * falls back to the check then an open with O_NOFOLLOW on the last component, said once in the log.
 */
public final class ConfinedDirectory
{
    private static final int DIRECTORY_MODE = 0700;

    private final String what;
    private final List<Path> roots;
    /** The directories as the config spells them, so an absolute name written through an operator's link maps too. */
    private final List<Path> spelled;

    /**
     * @param what  names the kind of path in messages, e.g. "disk image"
     * @param dirs  absolute directories; relative names resolve against the first
     */
    public ConfinedDirectory(final String what, final List<String> dirs)
    {
        if (dirs.isEmpty())
        {
            throw new IllegalArgumentException("no directory is allowed for a " + what);
        }
        this.what = what;
        final List<Path> resolved = new ArrayList<>();
        final List<Path> asGiven = new ArrayList<>();
        for (final String dir : dirs)
        {
            final Path given = Path.of(dir).toAbsolutePath().normalize();
            asGiven.add(given);
            resolved.add(real(given));
        }
        this.roots = List.copyOf(resolved);
        this.spelled = List.copyOf(asGiven);
    }

    /** Disk images: {@code daemon.imageDirs}, by default the state directory's {@code images}. */
    public static ConfinedDirectory images(final VplaneConfig config)
    {
        return new ConfinedDirectory("disk image", DefaultDirectories.conclude(config.daemon()).imageDirs());
    }

    /** vhost-user sockets: {@code daemon.socketDir}, by default the run directory. */
    public static ConfinedDirectory sockets(final VplaneConfig config)
    {
        return new ConfinedDirectory("vhost-user socket", List.of(DefaultDirectories.conclude(config.daemon()).socketDir()));
    }

    /**
     * @param name an absolute path inside one of the directories, or a path relative to the first
     * @return the path to use
     * @throws IllegalArgumentException when the name may not be used
     */
    public Path resolve(final String name)
    {
        if (name.isEmpty() || name.indexOf('\0') >= 0)
        {
            throw new IllegalArgumentException("a " + what + " path must not be empty");
        }
        final Path given = Path.of(name);
        for (final Path part : given)
        {
            if ("..".equals(part.toString()))
            {
                throw new IllegalArgumentException(what + " path '" + name + "' must not contain '..'");
            }
        }
        final Path candidate = given.isAbsolute() ? given.normalize() : roots.getFirst().resolve(given).normalize();
        for (int i = 0; i < roots.size(); i++)
        {
            final Path root = roots.get(i);
            final Path inside = candidate.startsWith(root) ? candidate :
                candidate.startsWith(spelled.get(i)) ? root.resolve(spelled.get(i).relativize(candidate)) : null;
            if (null != inside && !inside.equals(root))
            {
                checkNoLinkBelow(root, inside, name);
                return inside;
            }
        }
        throw new IllegalArgumentException(what + " path '" + name + "' is outside the allowed directories " + roots);
    }

    public List<Path> roots()
    {
        return roots;
    }

    /**
     * Opens (or, with O_CREAT | O_EXCL, creates) a file {@link #resolve} returned, beneath the
     * directory it lies in: no link in any component, no way out of the directory.
     * @param flags open(2) flags; O_CLOEXEC is always added
     * @return the descriptor, the caller's to close
     * @throws IOException naming the path and the reason (ELOOP: a link on the way, EXDEV: outside)
     */
    public int open(final Path resolved, final int flags, final int mode) throws IOException
    {
        final Path root = rootOf(resolved);
        final int fd;
        if (FileAt.openat2().isAvailable())
        {
            final int rootFd = rootFd(root);
            try
            {
                fd = FileAt.openBeneath(rootFd, root.relativize(resolved).toString(), flags, mode);
            }
            finally
            {
                FileIo.close(rootFd);
            }
        }
        else
        {
            fd = FileIo.open(resolved.toString(), flags | FileIo.O_NOFOLLOW, mode);
        }
        if (fd < 0)
        {
            throw new IOException(refusal("cannot open", resolved, -fd));
        }
        return fd;
    }

    /**
     * Creates the missing directories between the allowed directory and the one that holds
     * {@code resolved}, each with mkdirat(2) in its parent's descriptor and entered with openat2,
     * so a link planted on the way is refused, not followed. Mode 0700: images are the daemon's alone.
     */
    public void createParents(final Path resolved) throws IOException
    {
        if (!FileAt.openat2().isAvailable())
        {
            Files.createDirectories(resolved.getParent());
            return;
        }
        final Path root = rootOf(resolved);
        final Path parent = resolved.getParent();
        // The allowed directory is the operator's, made when the first image goes in it (as before).
        Files.createDirectories(root);
        int dirFd = rootFd(root);
        try
        {
            if (parent.equals(root))
            {
                return;
            }
            Path at = root;
            for (final Path part : root.relativize(parent))
            {
                at = at.resolve(part);
                final int made = FileAt.mkdir(dirFd, part.toString(), DIRECTORY_MODE);
                if (made < 0 && made != -Errno.EEXIST)
                {
                    throw new IOException(refusal("cannot create the directory", at, -made));
                }
                final int next = FileAt.openBeneath(dirFd, part.toString(), FileAt.O_PATH | FileAt.O_DIRECTORY, 0);
                if (next < 0)
                {
                    throw new IOException(refusal("cannot open the directory", at, -next));
                }
                FileIo.close(dirFd);
                dirFd = next;
            }
        }
        finally
        {
            FileIo.close(dirFd);
        }
    }

    /**
     * An O_PATH descriptor of the directory that holds {@code resolved}, reached like {@link #open}:
     * the anchor for fstatat / unlinkat of its last component, which then cannot be redirected.
     * @return the descriptor, the caller's to close
     */
    public int openParent(final Path resolved) throws IOException
    {
        final Path root = rootOf(resolved);
        final Path parent = resolved.getParent();
        if (parent.equals(root))
        {
            return rootFd(root);
        }
        return open(parent, FileAt.O_PATH | FileAt.O_DIRECTORY, 0);
    }

    /**
     * Deletes {@code resolved} when it is still a regular file: checked with fstatat(2)
     * (AT_SYMLINK_NOFOLLOW) and removed with unlinkat(2), both relative to its directory's descriptor,
     * so a link or a directory put in its place is refused and nothing outside is touched.
     * @return whether a file was deleted (false when there was none)
     * @throws IOException when the name is something other than a regular file, or cannot be removed
     */
    public boolean deleteRegularFile(final Path resolved) throws IOException
    {
        final int dirFd = openParent(resolved);
        try (Arena arena = Arena.ofConfined())
        {
            final String name = resolved.getFileName().toString();
            final MemorySegment stat = arena.allocate(FileAt.STAT_BYTES, 8);
            final int statted = FileAt.stat(dirFd, name, stat);
            if (statted == -Errno.ENOENT)
            {
                return false;
            }
            if (statted < 0)
            {
                throw new IOException(refusal("cannot stat", resolved, -statted));
            }
            if ((FileAt.statMode(stat) & FileMode.TYPE_MASK) != FileMode.REGULAR)
            {
                throw new IOException(what + " " + resolved + " is not a regular file; refusing to delete it");
            }
            final int unlinked = FileAt.unlink(dirFd, name);
            if (unlinked < 0)
            {
                throw new IOException(refusal("cannot delete", resolved, -unlinked));
            }
            return true;
        }
        finally
        {
            FileIo.close(dirFd);
        }
    }

    private Path rootOf(final Path resolved)
    {
        for (final Path root : roots)
        {
            if (resolved.startsWith(root) && !resolved.equals(root))
            {
                return root;
            }
        }
        throw new IllegalArgumentException(what + " path '" + resolved + "' is outside the allowed directories " + roots);
    }

    private int rootFd(final Path root) throws IOException
    {
        final int fd = FileAt.openDirectory(root.toString());
        if (fd < 0)
        {
            throw new IOException(refusal("cannot open the directory", root, -fd));
        }
        return fd;
    }

    private String refusal(final String action, final Path path, final int errno)
    {
        return switch (errno)
        {
            case Errno.ELOOP -> what + " path " + path + " passes through a symbolic link; refused";
            case Errno.EXDEV -> what + " path " + path + " leads outside the allowed directories; refused";
            default -> action + " " + what + " " + path + ": " + Errno.describe(errno);
        };
    }

    private void checkNoLinkBelow(final Path root, final Path candidate, final String name)
    {
        Path at = root;
        for (final Path part : root.relativize(candidate))
        {
            at = at.resolve(part);
            if (Files.isSymbolicLink(at))
            {
                throw new IllegalArgumentException(what + " path '" + name + "' passes through the symbolic link " + at);
            }
            if (!Files.exists(at, LinkOption.NOFOLLOW_LINKS))
            {
                return; // the rest does not exist yet: nothing below can be a link
            }
        }
    }

    private static Path real(final Path dir)
    {
        try
        {
            return Files.exists(dir) ? dir.toRealPath() : dir;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot resolve " + dir, ex);
        }
    }
}
