package io.vplane.vsock.control;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A container's storage: an ext4 filesystem in a sparse file of the size asked
 * ({@code IMAGES/id.ext4}), loop-mounted at {@code MOUNTS/id}, so the kernel answers ENOSPC when
 * the container has written its size. ext4 cannot be resized while mounted here (online resizing
 * needs the resize ioctl; offline is what every kernel allows), so a new size is applied
 * unmounted: {@code e2fsck}, {@code resize2fs}, the file cut or grown, mounted again. Runs as root.
 */
final class LoopStorage
{
    private static final long TIMEOUT_S = 60;

    private final Path images;
    private final Path mounts;

    LoopStorage(final Path images, final Path mounts) throws IOException
    {
        this.images = Files.createDirectories(images);
        this.mounts = Files.createDirectories(mounts);
    }

    Path mountPoint(final String id)
    {
        return mounts.resolve(id);
    }

    /** Makes a fresh filesystem of {@code bytes} for {@code id} and mounts it. */
    void create(final String id, final long bytes)
    {
        final Path image = image(id);
        unmount(id);
        try
        {
            Files.deleteIfExists(image);
            setLength(image, bytes);
            Files.createDirectories(mountPoint(id));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("storage of " + id + ": " + ex.getMessage(), ex);
        }
        // -m 0: the container may fill all of it; no reserve for a root it does not have
        HostCommand.run(TIMEOUT_S, List.of("mkfs.ext4", "-q", "-F", "-m", "0", image.toString()));
        mount(id);
    }

    /** Mounts {@code id}'s filesystem unless it is (a restarted agent, a machine rebooted). */
    void mount(final String id)
    {
        if (!mounted(id))
        {
            HostCommand.run(TIMEOUT_S, List.of("mount", "-o", "loop,nosuid,nodev", image(id).toString(), mountPoint(id).toString()));
        }
    }

    void unmount(final String id)
    {
        if (mounted(id))
        {
            // a loop device set up by mount -o loop is freed with the last unmount (autoclear)
            HostCommand.run(TIMEOUT_S, List.of("umount", mountPoint(id).toString()));
        }
    }

    /** Resizes the unmounted filesystem of {@code id} to {@code bytes}; its content stays. */
    void resize(final String id, final long bytes)
    {
        final Path image = image(id);
        HostCommand.run(TIMEOUT_S, 1, List.of("e2fsck", "-f", "-p", image.toString()));
        try
        {
            final long now = Files.size(image);
            if (bytes > now)
            {
                setLength(image, bytes);
            }
            // refuses, in its own words, to shrink below what the files need
            HostCommand.run(TIMEOUT_S, List.of("resize2fs", image.toString(), (bytes / 1024) + "K"));
            if (bytes < now)
            {
                setLength(image, bytes);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("storage of " + id + ": " + ex.getMessage(), ex);
        }
    }

    /** Unmounts and deletes {@code id}'s filesystem. */
    void delete(final String id)
    {
        unmount(id);
        try
        {
            Files.deleteIfExists(image(id));
            Files.deleteIfExists(mountPoint(id));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("storage of " + id + ": " + ex.getMessage(), ex);
        }
    }

    long size(final String id) throws IOException
    {
        return Files.size(image(id));
    }

    boolean mounted(final String id)
    {
        final String point = mountPoint(id).toAbsolutePath().toString().replace(" ", "\\040");
        try
        {
            return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream().anyMatch(l -> l.split(" ")[4].equals(point));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read /proc/self/mountinfo: " + ex.getMessage(), ex);
        }
    }

    private Path image(final String id)
    {
        return images.resolve(id + ".ext4");
    }

    private static void setLength(final Path image, final long bytes) throws IOException
    {
        // sparse: the blocks are taken as the container writes them
        try (RandomAccessFile file = new RandomAccessFile(image.toFile(), "rw"))
        {
            file.setLength(bytes);
        }
    }
}
