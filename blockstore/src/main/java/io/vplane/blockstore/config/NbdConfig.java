package io.vplane.blockstore.config;

import io.vplane.blockstore.convert.ConvertSettings;
import io.vplane.blockstore.nbd.NbdLimits;
import io.vplane.blockstore.qos.DiskQos;
import io.vplane.blockstore.qos.SchedulerSettings;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The NBD server: where it listens, the virtual disks it exports and the tenants that own them.
 *
 * @param bindAddress address the server listens on
 * @param port        TCP port; 10809 is the port IANA assigned to NBD, 0 picks a free one
 * @param disks       exported virtual disks
 * @param tenants     owners of disks and their access rules
 * @param tls         STARTTLS certificates; off when empty
 * @param transport   the Netty transport of the server's event loops
 * @param limits      what one client may hold of the server (connections, handshake, memory)
 * @param qos         the slice scheduler all disks share (slice, device capacity, command costs); applies live
 * @param qosLevels   named QoS levels a disk's {@code qos.level} starts from (already applied to {@code disks})
 * @param convert     defaults of online conversions (copy rate, chunk); applies to the next conversion
 */
public record NbdConfig(
    String bindAddress, int port, List<NbdDiskConfig> disks, List<NbdTenantConfig> tenants, NbdTlsConfig tls,
    NbdTransport transport, NbdLimits limits, SchedulerSettings qos, Map<String, DiskQos> qosLevels, ConvertSettings convert)
{
    public NbdConfig
    {
        disks = List.copyOf(disks);
        tenants = List.copyOf(tenants);
        qosLevels = Collections.unmodifiableMap(new LinkedHashMap<>(qosLevels));
    }

    /** A server with no QoS levels and the default conversion settings. */
    public NbdConfig(
        final String bindAddress, final int port, final List<NbdDiskConfig> disks, final List<NbdTenantConfig> tenants,
        final NbdTlsConfig tls, final NbdTransport transport, final NbdLimits limits, final SchedulerSettings qos)
    {
        this(bindAddress, port, disks, tenants, tls, transport, limits, qos, Map.of(), ConvertSettings.DEFAULTS);
    }

    /** A server with no QoS levels. */
    public NbdConfig(
        final String bindAddress, final int port, final List<NbdDiskConfig> disks, final List<NbdTenantConfig> tenants,
        final NbdTlsConfig tls, final NbdTransport transport, final NbdLimits limits, final SchedulerSettings qos,
        final ConvertSettings convert)
    {
        this(bindAddress, port, disks, tenants, tls, transport, limits, qos, Map.of(), convert);
    }

    /** A server with the default scheduler settings. */
    public NbdConfig(
        final String bindAddress, final int port, final List<NbdDiskConfig> disks, final List<NbdTenantConfig> tenants,
        final NbdTlsConfig tls, final NbdTransport transport, final NbdLimits limits)
    {
        this(bindAddress, port, disks, tenants, tls, transport, limits, SchedulerSettings.DEFAULTS);
    }
}
