package io.vplane.blockstore.device;

import io.vplane.blockstore.backend.NbdClientBackend;
import io.vplane.blockstore.backend.RemoteBackends;
import io.vplane.blockstore.backend.RawFileBackend;
import io.vplane.blockstore.backend.StorageBackend;
import io.vplane.blockstore.config.NbdConfig;
import io.vplane.blockstore.convert.ConvertingBackend;
import io.vplane.blockstore.config.NbdDiskConfig;
import io.vplane.blockstore.config.NbdTenantConfig;
import io.vplane.blockstore.disk.DiskRegistry;
import io.vplane.blockstore.disk.Tenant;
import io.vplane.blockstore.image.ImageBackend;
import io.vplane.blockstore.image.ImageOpener;
import io.vplane.blockstore.nbd.NbdEventLoops;
import io.vplane.blockstore.nbd.NbdServer;
import io.vplane.blockstore.nbd.NbdServerMetrics;
import io.vplane.blockstore.qos.CapacityProbe;
import io.vplane.blockstore.qos.DiskQos;
import io.vplane.blockstore.qos.SchedulerSettings;
import io.vplane.blockstore.qos.SliceScheduler;
import io.vplane.blockstore.rbd.RbdBackend;
import io.vplane.blockstore.rbd.RbdImageUri;
import io.vplane.config.VplaneConfig;
import io.vplane.engine.confine.ConfinedDirectory;
import io.vplane.engine.device.Device;
import io.vplane.engine.errors.ErrorLog;
import io.vplane.engine.device.DeviceContext;
import io.vplane.engine.device.DeviceProvider;
import io.vplane.engine.device.DeviceSpec;
import io.vplane.engine.device.TuneDriver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Opens the disks of the config's {@code nbd} section as blk devices, and runs the one NBD server
 * they share: started with the first disk, stopped with the last.
 */
public final class NbdDeviceProvider implements DeviceProvider
{
    public static final String KIND = "nbd";
    public static final String TYPE = "blk";
    private static final Logger LOG = LoggerFactory.getLogger(NbdDeviceProvider.class);

    private final DiskRegistry registry = new DiskRegistry();
    /** Shares the storage among all disks, slice by slice. */
    private final SliceScheduler scheduler = new SliceScheduler(SchedulerSettings.DEFAULTS, System.nanoTime());
    /** Open disks by name, and the QoS the config file last gave each (a change there applies live). */
    private final Map<String, DiskDevice> devices = new HashMap<>();
    private final Map<String, DiskQos> fileQos = new HashMap<>();
    private NbdServer server;
    private NbdServerMetrics serverMetrics;
    private int openDisks;
    /** The storage's capacity, measured once when asked for ({@code nbd.qos.measure}); null until then. */
    private CapacityProbe.Capacity measured;

    @Override
    public String kind()
    {
        return KIND;
    }

    @Override
    public List<DeviceSpec> declaredDevices(final VplaneConfig config)
    {
        final List<DeviceSpec> specs = new ArrayList<>();
        for (final NbdDiskConfig disk : config.section(NbdConfig.class).disks())
        {
            specs.add(spec(disk, config));
        }
        return specs;
    }

    /** The device of one disk, served by the server and tenants {@code config} describes. */
    public static DeviceSpec spec(final NbdDiskConfig disk, final VplaneConfig config)
    {
        final NbdConfig nbd = config.section(NbdConfig.class);
        final NbdTenantConfig tenant = nbd.tenants().stream()
            .filter(t -> t.name().equals(disk.tenant()))
            .findFirst()
            .orElseThrow(() -> new IllegalArgumentException("disk " + disk.name() + ": no tenant " + disk.tenant()));
        // A file image stays inside the image directories; a remote one goes only where the operator allowed.
        final ConfinedDirectory images = ConfinedDirectory.images(config);
        final Path image = NbdClientBackend.isUri(disk.image()) ?
            RemoteBackends.allowed(disk.image(), config.daemon().remoteBackends()) :
            RbdImageUri.isUri(disk.image()) ? rbdImage(disk.image(), images) :
            ImageOpener.isQcow2(disk.image()) ? images.resolve(disk.image().substring(ImageOpener.QCOW2_PREFIX.length())) :
            images.resolve(disk.image());
        return new DeviceSpec(KIND, disk.name(), TYPE,
            new DiskSettings(disk, tenant, image, nbd.bindAddress(), nbd.port(), nbd.tls(), nbd.transport(),
                nbd.limits(), images, nbd.qos()));
    }

    /**
     * An rbd:// image's conf and keyring are read by librados as the daemon: never from an image
     * directory, where NBD clients write, so nobody can make the daemon reach a cluster (any address)
     * through a file they wrote.
     */
    private static Path rbdImage(final String image, final ConfinedDirectory images)
    {
        final RbdImageUri uri = RbdImageUri.parse(image);
        for (final String file : new String[] {uri.conf(), uri.keyring()})
        {
            if (null == file)
            {
                continue;
            }
            Path real = Path.of(file);
            try
            {
                real = real.toRealPath();
            }
            catch (final IOException ex)
            {
                // missing: librados says so when the disk opens
            }
            for (final Path root : images.roots())
            {
                if (real.startsWith(root) || Path.of(file).startsWith(root))
                {
                    throw new IllegalArgumentException("rbd image " + uri.spec() + ": " + file +
                        " is inside the image directory " + root + ", where clients write; keep Ceph's conf and keyrings elsewhere");
                }
            }
        }
        return Path.of(uri.spec());
    }

    /**
     * Reload: tenants' new rules apply to the next connections of every disk they own. A disk whose
     * tenant is gone (one made with {@code ctl disk create}) is hidden from everybody.
     */
    @Override
    public synchronized void applyLive(final VplaneConfig config)
    {
        scheduler.configure(withMeasuredCapacity(config.section(NbdConfig.class).qos(), null));
        for (final NbdDiskConfig disk : config.section(NbdConfig.class).disks())
        {
            final DiskQos before = fileQos.put(disk.name(), disk.qos());
            final DiskDevice device = devices.get(disk.name());
            if (null != before && !before.equals(disk.qos()) && null != device)
            {
                device.qos(disk.qos());
            }
        }
        final Map<String, Tenant> tenants = new HashMap<>();
        config.section(NbdConfig.class).tenants().forEach(t -> tenants.put(t.name(), Tenant.of(t.name(), t.allow(), t.requireTls())));
        registry.forEach(disk ->
        {
            final Tenant tenant = tenants.get(disk.tenant().name());
            if (null == tenant)
            {
                LOG.warn("disk {}: its tenant {} is no longer declared; nobody may open it now", disk.name(), disk.tenant().name());
                disk.retenant(new Tenant(disk.tenant().name(), List.of(), disk.tenant().requireTls()));
            }
            else
            {
                disk.retenant(tenant);
            }
        });
    }

    /** {@code vplane tune --type blk}'s built-in load: reads into the running disks' queues. */
    @Override
    public TuneDriver tuneDriver()
    {
        return new DiskTuneDriver();
    }

    @Override
    public synchronized Device open(final DeviceSpec spec, final DeviceContext context)
    {
        final DiskSettings settings = (DiskSettings)spec.settings();
        // A raw image with a conversion map beside it is mid-conversion (the daemon stopped or crashed): resume.
        final ConvertingBackend converting = DiskConversion.resume(spec.name(), settings, context.errors());
        final StorageBackend backend = null != converting ? converting : openBackend(spec.name(), settings, context.errors());
        try
        {
            ensureServer(settings, context);
        }
        catch (final RuntimeException ex)
        {
            backend.close();
            throw ex;
        }
        openDisks++;
        scheduler.configure(withMeasuredCapacity(settings.scheduler(), settings.imageDirs()));
        final String name = spec.name();
        final DiskDevice device = new DiskDevice(spec, settings, backend, registry, context, scheduler, () -> onDiskClosed(name));
        devices.put(name, device);
        fileQos.put(name, settings.disk().qos());
        if (null != converting)
        {
            device.conversion(converting);
            DiskConversion.startCopier(device, converting, settings, converting.map().rateBytesPerSec());
        }
        return device;
    }

    /**
     * The scheduler settings with the capacity left at 0 measured, when the config asks for it: once,
     * under the first image directory, when the first disk opens (a reload reuses the figure).
     */
    private SchedulerSettings withMeasuredCapacity(final SchedulerSettings file, final ConfinedDirectory images)
    {
        if (!file.measuresCapacity())
        {
            return file;
        }
        if (null == measured)
        {
            if (null == images || images.roots().isEmpty())
            {
                return file;
            }
            final Path directory = images.roots().getFirst();
            final SchedulerSettings.Measure how = file.measure();
            try
            {
                measured = new CapacityProbe(directory, (long)how.fileMiB() << 20, how.seconds() * 1_000_000_000L,
                    how.threads(), System::nanoTime).measure();
                LOG.info("storage under {} measured: {}", directory, measured.describe());
            }
            catch (final IOException | RuntimeException ex)
            {
                measured = new CapacityProbe.Capacity(0, 0, false);
                LOG.warn("storage under {} could not be measured ({}); the capacity not configured stays 0 (not shared out)",
                    directory, ex.toString());
            }
        }
        return file.withMeasured(measured.iops(), measured.bytesPerSec());
    }

    /**
     * Opens the storage a disk's image names: a file path, nbd://host:port/export for a remote
     * server, rbd://pool/image for Ceph, qcow2:PATH for a qcow2 image served read-only.
     */
    public static StorageBackend openBackend(final String disk, final DiskSettings settings, final ErrorLog errors)
    {
        try
        {
            return NbdClientBackend.isUri(settings.disk().image()) ?
                NbdClientBackend.open(settings.disk().image()) :
                RbdImageUri.isUri(settings.disk().image()) ?
                RbdBackend.open(disk, settings.disk().image(), settings.disk().readOnly(), errors) :
                ImageOpener.isQcow2(settings.disk().image()) ?
                new ImageBackend(disk, new ImageOpener(settings.imageDirs()).open(settings.image(), "qcow2"), errors) :
                RawFileBackend.open(settings.imageDirs(), settings.image(), settings.disk().sizeBytes(), settings.disk().readOnly());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("disk " + disk + ": cannot open image " + settings.disk().image(), ex);
        }
    }

    /** The port the server listens on (useful when the config asked for port 0); -1 when not running. */
    public synchronized int port()
    {
        return null == server ? -1 : server.port();
    }

    public DiskRegistry registry()
    {
        return registry;
    }

    private void ensureServer(final DiskSettings settings, final DeviceContext context)
    {
        if (null != server)
        {
            return;
        }
        serverMetrics = NbdServerMetrics.allocate(context.counters(), context.errors());
        try
        {
            server = NbdServer.start(settings.bindAddress(), settings.port(), NbdEventLoops.of(settings.transport(), context.io()),
                registry, serverMetrics, TlsContexts.server(settings.tls()), settings.limits());
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            serverMetrics.close();
            throw new IllegalStateException("interrupted while starting the NBD server", ex);
        }
        catch (final RuntimeException | IOException ex)
        {
            serverMetrics.close();
            throw new IllegalStateException("cannot start the NBD server on " + settings.bindAddress() + ":" +
                settings.port() + ": " + ex.getMessage(), ex);
        }
    }

    private synchronized void onDiskClosed(final String name)
    {
        devices.remove(name);
        openDisks--;
        if (0 == openDisks && null != server)
        {
            server.close();
            server = null;
            serverMetrics.close();
            serverMetrics = null;
        }
    }
}
