package io.vplane.config;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Binds the {@code nbd} section: server address, disks and tenants, with the checks that span them
 * (names unique, a disk's tenant exists, a disk name is free among devices, CIDR ranges parse).
 */
final class NbdBinder
{
    /** NBD proto.md: strings are at most 4096 bytes; export names here are also device names. */
    private static final Pattern DISK_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,32}");
    private static final Pattern TENANT_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,32}");
    private static final long MIN_SIZE_BYTES = 512;
    /** 2^62: positive as an off_t with room for offset + length arithmetic. */
    private static final long MAX_SIZE_BYTES = 1L << 62;
    private static final int MAX_DESCRIPTION_BYTES = 4096;

    private NbdBinder()
    {
    }

    static NbdConfig nbd(final SectionReader section, final DevicesConfig devices)
    {
        final String bindAddress = section.string("bindAddress", ConfigDefaults.NBD_BIND_ADDRESS).strip();
        if (bindAddress.isEmpty())
        {
            section.reject("bindAddress", "must not be empty; use 127.0.0.1 for local clients or 0.0.0.0 for all interfaces");
        }
        final int port = section.integer("port", ConfigDefaults.NBD_PORT, 0, 65_535);
        final NbdTlsConfig tls = tls(section.section("tls"));
        final List<NbdTenantConfig> tenants = tenants(section, tls);
        final List<NbdDiskConfig> disks = disks(section, tenants, devices);
        section.finish();
        return new NbdConfig(bindAddress, port, disks, tenants, tls);
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

    private static List<NbdTenantConfig> tenants(final SectionReader section, final NbdTlsConfig tls)
    {
        final List<NbdTenantConfig> tenants = new ArrayList<>();
        final Map<String, Integer> firstLine = new HashMap<>();
        for (final SectionReader item : section.list("tenants"))
        {
            final String name = item.requiredString("name");
            final boolean nameOk = null != name && TENANT_NAME.matcher(name).matches();
            if (null != name && !nameOk)
            {
                item.reject("name", "tenant name '" + name + "' is not allowed; use 1 to 32 of A-Z a-z 0-9 _ . -");
            }
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
        final SectionReader section, final List<NbdTenantConfig> tenants, final DevicesConfig devices)
    {
        final List<NbdDiskConfig> disks = new ArrayList<>();
        final Map<String, Integer> firstLine = new HashMap<>();
        for (final SectionReader item : section.list("disks"))
        {
            final String name = item.requiredString("name");
            final boolean nameOk = null != name && DISK_NAME.matcher(name).matches();
            if (null != name && !nameOk)
            {
                item.reject("name", "disk name '" + name + "' is not allowed; use 1 to 32 of A-Z a-z 0-9 _ . -");
            }
            if (nameOk && devices.loopback().stream().anyMatch(device -> device.name().equals(name)))
            {
                item.reject("name", "disk name '" + name + "' is already a device name in devices.loopback");
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
            final boolean readOnly = item.bool("readOnly", ConfigDefaults.NBD_READ_ONLY);
            final String description = item.string("description", ConfigDefaults.NBD_DESCRIPTION);
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
            final int queues = item.integer("queues", ConfigDefaults.NBD_QUEUES, 1, 64);
            final int minBlockBytes = item.powerOfTwo("minBlockBytes", ConfigDefaults.NBD_MIN_BLOCK_BYTES, 1, 65_536);
            if (sizeBytes > 0 && sizeBytes % minBlockBytes != 0)
            {
                item.reject("minBlockBytes", "sizeBytes " + sizeBytes + " is not a multiple of minBlockBytes " + minBlockBytes);
            }
            item.finish();
            if (nameOk && null != image && null != tenant && sizeBytes > 0)
            {
                final Integer first = firstLine.putIfAbsent(name, item.lineOf("name"));
                if (null != first)
                {
                    item.reject("name", "disk name '" + name + "' is used twice; first at line " + first);
                    continue;
                }
                disks.add(new NbdDiskConfig(name, image, sizeBytes, readOnly, description, tenant, queues, minBlockBytes));
            }
        }
        return disks;
    }

    static boolean isCidr(final String text)
    {
        return IpPrefix.isPrefix(text);
    }
}
