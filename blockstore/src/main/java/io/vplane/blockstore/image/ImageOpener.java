package io.vplane.blockstore.image;

import io.vplane.engine.confine.ConfinedDirectory;
import io.vplane.engine.linux.FileIo;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Opens an image and its backing chain read-only. Every file, the backing files a header names
 * included, is opened beneath the image directories with no link followed: a hostile image cannot
 * make the daemon serve a file of its choosing. Backing names are relative to the image naming
 * them; protocol names (nbd:, json:) are refused. The chain may not loop and is at most
 * {@link #MAX_CHAIN_DEPTH} images deep.
 */
public final class ImageOpener
{
    public static final String QCOW2_PREFIX = "qcow2:";
    public static final String RAW_PREFIX = "raw:";
    /** qemu has no fixed limit; 16 is far past what a real chain has and keeps a hostile one short. */
    public static final int MAX_CHAIN_DEPTH = 16;

    private final ConfinedDirectory images;

    public ImageOpener(final ConfinedDirectory images)
    {
        this.images = images;
    }

    /** Whether a disk image names a qcow2 file ("qcow2:PATH"). */
    public static boolean isQcow2(final String image)
    {
        return image.startsWith(QCOW2_PREFIX);
    }

    /**
     * Opens {@code path} (already resolved in the image directories) as {@code format} ("qcow2",
     * "raw", or null to tell by its magic).
     */
    public ImageFile open(final Path path, final String format) throws IOException
    {
        return open(path, format, new ArrayList<>());
    }

    private ImageFile open(final Path path, final String format, final List<Path> chain) throws IOException
    {
        if (chain.size() >= MAX_CHAIN_DEPTH)
        {
            throw new ImageFormatException("backing chain deeper than " + MAX_CHAIN_DEPTH + " images at " + path);
        }
        final Path real = path.toRealPath();
        if (chain.contains(real))
        {
            throw new ImageFormatException("backing chain loops: " + real + " is its own backing file (chain " + chain + ")");
        }
        chain.add(real);
        final FileChannel file = openChannel(path);
        try
        {
            final String kind = null != format ? format : probe(file);
            return switch (kind)
            {
                case "qcow2" -> Qcow2Image.open(path, file, (name, backingFormat) -> openBacking(path, name, backingFormat, chain));
                case "raw" -> new RawImageFile(path, file);
                default -> throw new ImageFormatException("backing format '" + kind + "' of " + path + " is not read here (qcow2 and raw are)");
            };
        }
        catch (final IOException | RuntimeException ex)
        {
            file.close();
            throw ex;
        }
    }

    /** A backing file that cannot be opened makes its image refused, with the reason. */
    private ImageFile openBacking(final Path image, final String name, final String format, final List<Path> chain)
        throws ImageFormatException
    {
        final Path backing = backingPath(image, name);
        try
        {
            return open(backing, format, chain);
        }
        catch (final ImageFormatException ex)
        {
            throw ex;
        }
        catch (final IOException ex)
        {
            throw new ImageFormatException(image + " names backing file '" + name + "', which cannot be opened: " + ex);
        }
    }

    private Path backingPath(final Path image, final String name) throws ImageFormatException
    {
        if (name.indexOf('\0') >= 0)
        {
            throw new ImageFormatException(image + " names a backing file with a NUL character in it");
        }
        if (name.indexOf(':') >= 0 && !name.startsWith("/") && !name.startsWith("file:"))
        {
            throw new ImageFormatException(image + " names backing '" + name + "', a protocol; only files in the image directories are read");
        }
        final String file = name.startsWith("file:") ? name.substring("file:".length()) : name;
        try
        {
            final Path named = Path.of(file).isAbsolute() ? Path.of(file) : image.toAbsolutePath().getParent().resolve(file).normalize();
            return images.resolve(named.toString());
        }
        catch (final IllegalArgumentException ex) // InvalidPathException included
        {
            throw new ImageFormatException(image + " names backing file '" + name + "': " + ex.getMessage());
        }
    }

    private static String probe(final FileChannel file) throws IOException
    {
        final ByteBuffer magic = ByteBuffer.allocate(4);
        file.read(magic, 0);
        return Qcow2Header.hasMagic(magic.flip()) ? "qcow2" : "raw";
    }

    private FileChannel openChannel(final Path path) throws IOException
    {
        final int fd = images.open(path, FileIo.O_RDONLY, 0);
        try
        {
            // The magic link names the inode fd holds: the channel reads the very file confinement opened.
            return FileChannel.open(Path.of("/proc/self/fd/" + fd), StandardOpenOption.READ);
        }
        finally
        {
            FileIo.close(fd);
        }
    }
}
