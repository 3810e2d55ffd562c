package io.vplane.blockstore.device;

import io.vplane.blockstore.backend.StorageBackend;
import io.vplane.blockstore.convert.ChunkCopier;
import io.vplane.blockstore.convert.ConversionMap;
import io.vplane.blockstore.convert.ConvertingBackend;
import io.vplane.blockstore.image.ImageFile;
import io.vplane.blockstore.image.ImageOpener;
import io.vplane.blockstore.rbd.RbdImageUri;
import io.vplane.engine.errors.ErrorLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;

/**
 * Starts, resumes and cancels a disk's online conversion: the disk's backend becomes a
 * {@link ConvertingBackend} (through the backend upgrade, so no request in flight is lost), its
 * copier fills the target, and once every chunk is there the disk is upgraded again, to the target
 * alone, and the map is deleted. A restart finds the map beside the target and resumes.
 */
public final class DiskConversion
{
    private static final Logger LOG = LoggerFactory.getLogger(DiskConversion.class);

    private DiskConversion()
    {
    }

    /**
     * Converts {@code device} from {@code source} ("qcow2:PATH" or "raw:PATH", in the image
     * directories) to the image {@code target} names (a raw file or rbd://). A target that exists is
     * accepted only when it is the disk's own image (its bytes are replaced by the source's), an
     * rbd image, or when its map names the same source (then the conversion resumes).
     *
     * @param target the disk's settings with the target as its image
     * @return the progress
     */
    public static Map<String, Object> start(final DiskDevice device, final String source, final DiskSettings target,
        final long rateBytesPerSec, final int chunkBytes)
    {
        final ConvertingBackend running = device.conversion();
        if (null != running && device.backendIs(running))
        {
            if (!running.map().source().equals(source) || !running.map().target().equals(target.disk().image()))
            {
                throw new IllegalArgumentException("disk " + device.name() + " is being converted from " + running.map().source() +
                    " to " + running.map().target() + "; cancel it, or name the same source and target to resume it");
            }
            startCopier(device, running, target, rateBytesPerSec);
            return running.copier().progress();
        }
        if (null != running && finished(running) && running.map().source().equals(source) &&
            running.map().target().equals(target.disk().image()))
        {
            // Done already: running it again would replace what clients wrote since with the source's bytes.
            return running.copier().progress();
        }
        final Path mapFile = mapFile(device.name(), target);
        final ConversionMap map;
        final boolean resumed = Files.exists(mapFile, LinkOption.NOFOLLOW_LINKS);
        final ConvertingBackend converting;
        try
        {
            if (resumed)
            {
                map = ConversionMap.load(mapFile);
                if (!map.source().equals(source) || !map.target().equals(target.disk().image()))
                {
                    throw new IllegalArgumentException(mapFile + " belongs to a conversion from " + map.source() + " to " + map.target() +
                        "; name those to resume it, or delete the map and the target to start over");
                }
            }
            else
            {
                refuseForeignTarget(device, target);
                map = ConversionMap.create(mapFile, source, target.disk().image(), device.disk().sizeBytes(), chunkBytes,
                    rateBytesPerSec);
            }
            converting = openOrForget(device.name(), map, target, device.errors(), rateBytesPerSec, resumed);
        }
        catch (final IOException ex)
        {
            throw new IllegalArgumentException("disk " + device.name() + ": cannot convert from " + source + " to " +
                target.disk().image() + ": " + ex.getMessage(), ex);
        }
        device.upgrade(target, converting);
        device.conversion(converting);
        LOG.info("disk {}: converting from {} to {} ({} of {} bytes already there, {} bytes/s)", device.name(), source,
            target.disk().image(), map.doneBytes(), map.sizeBytes(), rateBytesPerSec);
        startCopier(device, converting, target, rateBytesPerSec);
        return converting.copier().progress();
    }

    /**
     * At open (start, restart): the converting backend of a disk whose image has a conversion map,
     * or null when it has none.
     */
    static ConvertingBackend resume(final String disk, final DiskSettings settings, final ErrorLog errors)
    {
        final Path mapFile = mapFile(disk, settings);
        if (!Files.exists(mapFile, LinkOption.NOFOLLOW_LINKS))
        {
            return null;
        }
        try
        {
            final ConversionMap map = ConversionMap.load(mapFile);
            if (!map.target().equals(settings.disk().image()))
            {
                LOG.warn("disk {}: {} names target {}, not this disk's image; ignored", disk, mapFile, map.target());
                return null;
            }
            LOG.info("disk {}: resuming the conversion from {} ({} of {} bytes in the target)", disk, map.source(), map.doneBytes(),
                map.sizeBytes());
            return open(disk, map, settings, errors, map.rateBytesPerSec());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("disk " + disk + ": cannot resume the conversion of " + mapFile, ex);
        }
    }

    /** Stops the copier; the disk goes on serving from source and target, and the same convert command resumes. */
    public static Map<String, Object> cancel(final DiskDevice device)
    {
        final ConvertingBackend running = device.conversion();
        if (null == running)
        {
            throw new IllegalArgumentException("disk " + device.name() + " has no conversion");
        }
        running.copier().stop();
        LOG.info("disk {}: conversion paused by the operator at {} of {} bytes", device.name(), running.map().doneBytes(),
            running.map().sizeBytes());
        return running.copier().progress();
    }

    public static Map<String, Object> status(final DiskDevice device)
    {
        final ConvertingBackend running = device.conversion();
        if (null == running)
        {
            throw new IllegalArgumentException("disk " + device.name() + " has no conversion");
        }
        return running.copier().progress();
    }

    static void startCopier(final DiskDevice device, final ConvertingBackend converting, final DiskSettings target, final long rate)
    {
        converting.copier().reportTo(device::conversionProgress);
        device.conversionProgress(converting.map().doneBytes(), converting.map().sizeBytes());
        converting.copier().start(rate, () ->
        {
            final StorageBackend plain = NbdDeviceProvider.openBackend(device.name(), target, device.errors());
            device.upgrade(target, plain);
            converting.map().delete();
            LOG.info("disk {}: conversion done; the disk serves from {} alone", device.name(), target.disk().image());
        });
    }

    /** Opens the conversion; a map made for it is deleted again when that fails. */
    private static ConvertingBackend openOrForget(final String disk, final ConversionMap map, final DiskSettings target,
        final ErrorLog errors, final long rate, final boolean resumed) throws IOException
    {
        try
        {
            return open(disk, map, target, errors, rate);
        }
        catch (final IOException | RuntimeException ex)
        {
            if (!resumed)
            {
                map.delete();
            }
            throw ex;
        }
    }

    private static ConvertingBackend open(final String disk, final ConversionMap map, final DiskSettings target,
        final ErrorLog errors, final long rate) throws IOException
    {
        final ImageFile source = openSource(map.source(), target);
        final StorageBackend targetBackend;
        try
        {
            targetBackend = NbdDeviceProvider.openBackend(disk, target, errors);
        }
        catch (final RuntimeException ex)
        {
            source.close();
            throw ex;
        }
        try
        {
            return new ConvertingBackend(disk, source, targetBackend, map, errors, rate);
        }
        catch (final RuntimeException ex)
        {
            source.close();
            targetBackend.close();
            throw ex;
        }
    }

    private static ImageFile openSource(final String source, final DiskSettings settings) throws IOException
    {
        final String format;
        final String path;
        if (source.startsWith(ImageOpener.QCOW2_PREFIX))
        {
            format = "qcow2";
            path = source.substring(ImageOpener.QCOW2_PREFIX.length());
        }
        else if (source.startsWith(ImageOpener.RAW_PREFIX))
        {
            format = "raw";
            path = source.substring(ImageOpener.RAW_PREFIX.length());
        }
        else
        {
            throw new IllegalArgumentException("source " + source + " must be qcow2:PATH or raw:PATH");
        }
        return new ImageOpener(settings.imageDirs()).open(settings.imageDirs().resolve(path), format);
    }

    /** A new conversion may write only into a new file, the disk's own image, or an rbd image. */
    private static void refuseForeignTarget(final DiskDevice device, final DiskSettings target)
    {
        if (RbdImageUri.isUri(target.disk().image()) || target.image().equals(device.settings().image()))
        {
            return;
        }
        if (Files.exists(target.image(), LinkOption.NOFOLLOW_LINKS))
        {
            throw new IllegalArgumentException("target " + target.image() + " exists and is not disk " + device.name() +
                "'s image; a conversion writes a new image (or the disk's own), so remove it or choose another");
        }
    }

    /** The map of a raw target lies beside it; an rbd target's in the first image directory, named after the disk. */
    static Path mapFile(final String disk, final DiskSettings target)
    {
        return RbdImageUri.isUri(target.disk().image()) ?
            target.imageDirs().roots().getFirst().resolve(disk + ".rbd" + ConversionMap.SUFFIX) :
            target.image().resolveSibling(target.image().getFileName() + ConversionMap.SUFFIX);
    }

    /** Whether the copier is done (for callers waiting on it). */
    public static boolean finished(final ConvertingBackend converting)
    {
        return ChunkCopier.State.DONE == converting.copier().state();
    }
}
