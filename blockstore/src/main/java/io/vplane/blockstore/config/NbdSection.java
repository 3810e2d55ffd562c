package io.vplane.blockstore.config;

import io.vplane.blockstore.convert.ConvertSettings;
import io.vplane.blockstore.nbd.NbdLimits;
import io.vplane.blockstore.qos.DiskQos;
import io.vplane.blockstore.qos.SchedulerSettings;
import io.vplane.blockstore.image.ImageOpener;
import io.vplane.blockstore.rbd.RbdImageUri;
import io.vplane.config.BindContext;
import io.vplane.config.ConfigDiff;
import io.vplane.config.IpPrefix;
import io.vplane.config.KeyedSection;
import io.vplane.config.SectionReader;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The {@code nbd} section: server address, disks and tenants, with the checks that span them
 * (names unique, a disk's tenant exists, a disk name is free among devices, CIDR ranges parse).
 * Disks are added, removed (drained first) or reopened, tenant rules apply to new connections, and
 * the QoS of the scheduler and of each disk changes in place, all live; the listener's address,
 * port, TLS files and limits are bound at start.
 */
public final class NbdSection extends KeyedSection<NbdConfig>
{
    public static final String KEY = "nbd";
    public static final String BIND_ADDRESS = "127.0.0.1";
    /** The port IANA assigned to NBD. */
    public static final int PORT = 10809;
    public static final NbdTransport TRANSPORT = NbdTransport.EPOLL;
    public static final boolean READ_ONLY = false;
    public static final String DESCRIPTION = "";
    public static final int QUEUES = 1;
    public static final int MIN_BLOCK_BYTES = 1;

    private static final long MIN_SIZE_BYTES = 512;
    /** 2^62: positive as an off_t with room for offset + length arithmetic. */
    private static final long MAX_SIZE_BYTES = 1L << 62;
    private static final int MAX_DESCRIPTION_BYTES = 4096;

    public NbdSection()
    {
        super(KEY, Place.ROOT, NbdConfig.class);
    }

    /** The server listening on its port with no disks and no tenants. */
    @Override
    public NbdConfig defaults()
    {
        return new NbdConfig(BIND_ADDRESS, PORT, List.of(), List.of(), new NbdTlsConfig("", "", ""), TRANSPORT,
            NbdLimits.DEFAULTS);
    }

    @Override
    public NbdConfig bind(final SectionReader parent, final BindContext context)
    {
        final SectionReader section = parent.section(KEY);
        final String bindAddress = section.string("bindAddress", BIND_ADDRESS).strip();
        if (bindAddress.isEmpty())
        {
            section.reject("bindAddress", "must not be empty; use 127.0.0.1 for local clients or 0.0.0.0 for all interfaces");
        }
        final int port = section.integer("port", PORT, 0, 65_535);
        final NbdTransport transport = section.enumValue(
            "transport", TRANSPORT, NbdTransport.values(), NbdTransport::configName, "transport");
        final NbdTlsConfig tls = tls(section.section("tls"));
        final NbdLimits limits = limits(section.section("limits"));
        final List<NbdTenantConfig> tenants = tenants(section, tls);
        final SectionReader qosSection = section.section("qos");
        final Map<String, DiskQos> levels = QosSettingsReader.levels(qosSection);
        final List<NbdDiskConfig> disks = disks(section, tenants, context, levels);
        final SchedulerSettings qos = QosSettingsReader.scheduler(qosSection);
        QosSettingsReader.checkReservations(qosSection, qos, disks);
        final ConvertSettings convert = convert(section.section("convert"));
        section.finish();
        return new NbdConfig(bindAddress, port, disks, tenants, tls, transport, limits, qos, levels, convert);
    }

    private static NbdTlsConfig tls(final SectionReader section)
    {
        final String certificateFile = section.string("certificateFile", "").strip();
        final String privateKeyFile = section.string("privateKeyFile", "").strip();
        final String clientCaFile = section.string("clientCaFile", "").strip();
        if (certificateFile.isEmpty() != privateKeyFile.isEmpty())
        {
            section.reject(certificateFile.isEmpty() ? "certificateFile" : "privateKeyFile",
                "certificateFile and privateKeyFile go together: give both or neither");
        }
        if (!clientCaFile.isEmpty() && certificateFile.isEmpty())
        {
            section.reject("clientCaFile", "clientCaFile needs certificateFile and privateKeyFile");
        }
        section.finish();
        return new NbdTlsConfig(certificateFile, privateKeyFile, clientCaFile);
    }

    /** Ranges are those of {@link NbdLimits}; a missing setting keeps its default. */
    private static NbdLimits limits(final SectionReader section)
    {
        final NbdLimits d = NbdLimits.DEFAULTS;
        final NbdLimits limits = new NbdLimits(
            section.longValue("handshakeTimeoutMs", d.handshakeTimeoutMs(), NbdLimits.HANDSHAKE_TIMEOUT_MS),
            section.integer("maxOptions", d.maxOptions(), NbdLimits.MAX_OPTIONS),
            section.integer("maxOptionBytes", d.maxOptionBytes(), NbdLimits.MAX_OPTION_BYTES),
            section.integer("maxConnections", d.maxConnections(), NbdLimits.MAX_CONNECTIONS),
            section.integer("maxConnectionsPerClient", d.maxConnectionsPerClient(), NbdLimits.MAX_CONNECTIONS),
            section.integer("maxConnectionsPerExport", d.maxConnectionsPerExport(), NbdLimits.MAX_CONNECTIONS),
            section.longValue("maxDataBytesInFlight", d.maxDataBytesInFlight(), NbdLimits.MAX_DATA_BYTES_IN_FLIGHT),
            section.integer("writeHighWaterBytes", d.writeHighWaterBytes(), NbdLimits.WRITE_HIGH_WATER_BYTES),
            section.longValue("unwritableTimeoutMs", d.unwritableTimeoutMs(), NbdLimits.UNWRITABLE_TIMEOUT_MS),
            section.longValue("zeroSliceBytes", d.zeroSliceBytes(), NbdLimits.ZERO_SLICE_BYTES));
        section.finish();
        return limits;
    }

    private static List<NbdTenantConfig> tenants(final SectionReader section, final NbdTlsConfig tls)
    {
        final List<NbdTenantConfig> tenants = new ArrayList<>();
        final Map<String, Integer> firstLine = new HashMap<>();
        for (final SectionReader item : section.list("tenants"))
        {
            final String name = item.requiredName("name", "tenant");
            final boolean nameOk = null != name;
            final List<String> allow = item.stringList("allow", List.of());
            for (final String cidr : allow)
            {
                if (!isCidr(cidr))
                {
                    item.reject("allow", "'" + cidr + "' is not a CIDR range; write e.g. 10.0.0.0/8, 127.0.0.1/32 or ::1/128");
                }
            }
            final boolean requireTls = item.bool("requireTls", false);
            if (requireTls && !tls.enabled())
            {
                item.reject("requireTls", "requireTls needs nbd.tls.certificateFile and nbd.tls.privateKeyFile");
            }
            item.finish();
            if (nameOk)
            {
                final Integer first = firstLine.putIfAbsent(name, item.lineOf("name"));
                if (null != first)
                {
                    item.reject("name", "tenant name '" + name + "' is used twice; first at line " + first);
                    continue;
                }
                tenants.add(new NbdTenantConfig(name, allow, requireTls));
            }
        }
        return tenants;
    }

    private static List<NbdDiskConfig> disks(
        final SectionReader section, final List<NbdTenantConfig> tenants, final BindContext context,
        final Map<String, DiskQos> levels)
    {
        final List<NbdDiskConfig> disks = new ArrayList<>();
        final Map<String, Integer> firstLine = new HashMap<>();
        for (final SectionReader item : section.list("disks"))
        {
            // NBD proto.md: strings are at most 4096 bytes; export names here are also device names.
            final String name = item.requiredName("name", "disk");
            final boolean nameOk = null != name;
            final String deviceList = nameOk ? context.deviceListOf(name) : null;
            if (null != deviceList)
            {
                item.reject("name", "disk name '" + name + "' is already a device name in " + deviceList);
            }
            final String image = item.requiredString("image");
            if (null != image && image.isBlank())
            {
                item.reject("image", "must not be empty; give a path to a raw image file");
            }
            final long sizeBytes = item.longValue("sizeBytes", -1, MIN_SIZE_BYTES, MAX_SIZE_BYTES);
            if (sizeBytes == -1)
            {
                item.reject("sizeBytes", "missing required setting 'sizeBytes' (bytes, " + MIN_SIZE_BYTES + ".." +
                    MAX_SIZE_BYTES + ", a multiple of 512)");
            }
            else if (sizeBytes % 512 != 0)
            {
                item.reject("sizeBytes", "sizeBytes " + sizeBytes + " must be a multiple of 512");
            }
            final boolean readOnly = item.bool("readOnly", READ_ONLY);
            if (null != image && ImageOpener.isQcow2(image) && !readOnly)
            {
                item.reject("readOnly", "image " + image + " is served read-only (qcow2 is read, never written, here): set readOnly: true, " +
                    "or convert it to a raw image online with 'vplane ctl disk convert'");
            }
            if (null != image && RbdImageUri.isUri(image))
            {
                try
                {
                    if (null != RbdImageUri.parse(image).snapshot() && !readOnly)
                    {
                        item.reject("readOnly", "image " + image + " is a snapshot, which is read-only: set readOnly: true");
                    }
                }
                catch (final IllegalArgumentException ex)
                {
                    item.reject("image", ex.getMessage());
                }
            }
            final String description = item.string("description", DESCRIPTION);
            if (description.getBytes(StandardCharsets.UTF_8).length > MAX_DESCRIPTION_BYTES)
            {
                item.reject("description", "description is longer than " + MAX_DESCRIPTION_BYTES + " bytes");
            }
            final String tenant = item.requiredString("tenant");
            if (null != tenant && tenants.stream().noneMatch(t -> t.name().equals(tenant)))
            {
                item.reject("tenant", "tenant '" + tenant + "' is not declared in nbd.tenants; declared: " +
                    String.join(", ", tenants.stream().map(NbdTenantConfig::name).toList()));
            }
            final int queues = item.integer("queues", QUEUES, 1, 64);
            final int minBlockBytes = item.powerOfTwo("minBlockBytes", MIN_BLOCK_BYTES, 1, 65_536);
            if (sizeBytes > 0 && sizeBytes % minBlockBytes != 0)
            {
                item.reject("minBlockBytes", "sizeBytes " + sizeBytes + " is not a multiple of minBlockBytes " + minBlockBytes);
            }
            final DiskQos qos = QosSettingsReader.disk(item.section("qos"), levels);
            item.finish();
            if (nameOk && null != image && null != tenant && sizeBytes > 0)
            {
                final Integer first = firstLine.putIfAbsent(name, item.lineOf("name"));
                if (null != first)
                {
                    item.reject("name", "disk name '" + name + "' is used twice; first at line " + first);
                    continue;
                }
                disks.add(new NbdDiskConfig(name, image, sizeBytes, readOnly, description, tenant, queues, minBlockBytes, qos));
            }
        }
        return disks;
    }

    @Override
    public void diff(final NbdConfig running, final NbdConfig next, final ConfigDiff diff)
    {
        diff.compare("nbd.bindAddress", running.bindAddress(), next.bindAddress(), ConfigDiff.RESTART);
        diff.compare("nbd.port", running.port(), next.port(), ConfigDiff.RESTART);
        diff.named("nbd.disks.", running.disks(), next.disks(), NbdDiskConfig::name, NbdSection::describe);
        diff.named("nbd.tenants.", running.tenants(), next.tenants(), NbdTenantConfig::name, NbdSection::describe);
        diff.compare("nbd.tls", running.tls(), next.tls(), ConfigDiff.RESTART);
        diff.compare("nbd.transport", running.transport().configName(), next.transport().configName(), ConfigDiff.RESTART);
        // The server copies its limits into each connection's guard when it starts.
        diff.compare("nbd.limits", running.limits(), next.limits(), ConfigDiff.RESTART);
        diff.compare("nbd.qos", running.qos(), next.qos(), ConfigDiff.LIVE);
        diff.compare("nbd.qos.levels", running.qosLevels(), next.qosLevels(), ConfigDiff.LIVE);
        diff.compare("nbd.convert", running.convert(), next.convert(), ConfigDiff.LIVE);
    }

    /** Defaults of online conversions: the copier's rate and the chunk. */
    private static ConvertSettings convert(final SectionReader section)
    {
        final long rate = section.longValue("rateBytesPerSec", ConvertSettings.DEFAULTS.rateBytesPerSec(), 0,
            ConvertSettings.MAX_RATE_BYTES_PER_SEC);
        final long chunk = section.longValue("chunkBytes", ConvertSettings.DEFAULTS.chunkBytes(), ConvertSettings.MIN_CHUNK_BYTES,
            ConvertSettings.MAX_CHUNK_BYTES);
        if ((chunk & (chunk - 1)) != 0)
        {
            section.reject("chunkBytes", "chunkBytes " + chunk + " must be a power of two");
        }
        section.finish();
        return new ConvertSettings(rate, (int)chunk);
    }

    /** Disks and tenants apply live; the listener (address, port, TLS files, limits) stays until a restart. */
    @Override
    public NbdConfig live(final NbdConfig running, final NbdConfig next)
    {
        return new NbdConfig(running.bindAddress(), running.port(), next.disks(), next.tenants(), running.tls(),
            running.transport(), running.limits(), next.qos(), next.qosLevels(), next.convert());
    }

    /** How a disk appears in a change: every setting but its name. */
    public static String describe(final NbdDiskConfig disk)
    {
        return "image=" + disk.image() + " sizeBytes=" + disk.sizeBytes() + " readOnly=" + disk.readOnly() +
            " description=" + disk.description() + " tenant=" + disk.tenant() + " queues=" + disk.queues() +
            " minBlockBytes=" + disk.minBlockBytes() + (DiskQos.UNLIMITED.equals(disk.qos()) ? "" : " qos: " + disk.qos().describe());
    }

    /** How a tenant appears in a change: every setting but its name. */
    public static String describe(final NbdTenantConfig tenant)
    {
        return "allow=" + tenant.allow() + " requireTls=" + tenant.requireTls();
    }

    static boolean isCidr(final String text)
    {
        return IpPrefix.isPrefix(text);
    }
}
