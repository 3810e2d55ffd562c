package io.vplane.engine.confine;

import io.vplane.config.VplaneConfig;

import java.io.IOException;
import java.io.UncheckedIOException;
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
 * Files are then opened with O_NOFOLLOW by their users, so the last component cannot be swapped
 * for a link after the check.
 */
public final class ConfinedDirectory
{
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
