package io.vplane.vsock.config;

import io.vplane.config.BindContext;
import io.vplane.config.DeviceListSection;
import io.vplane.config.SectionReader;
import io.vplane.virtio.memory.GuestMemory;

/** Reads the {@code devices.vsock} list: every device applies live (added, removed or reopened). */
public final class VsockSection extends DeviceListSection<VsockDevicesConfig, VsockDeviceConfig>
{
    public static final String KEY = "vsock";
    public static final int BUF_ALLOC_BYTES = 256 * 1024;
    public static final int MAX_STREAMS = 256;
    public static final int MAX_MEMORY_REGIONS = GuestMemory.MAX_REGIONS;
    /** Firecracker's CONN_REQUEST_TIMEOUT_MS. */
    public static final int CONNECT_TIMEOUT_MS = 2_000;
    public static final int HANDSHAKE_TIMEOUT_MS = 5_000;
    /** sockaddr_un holds 107 path bytes and a NUL. */
    /** udsPath_4294967295 must fit too. */
    private static final int MAX_UDS_PATH = SectionReader.MAX_UNIX_PATH_BYTES - 11;

    public VsockSection()
    {
        super(KEY, VsockDevicesConfig.class, VsockDevicesConfig::new, VsockDevicesConfig::devices, VsockDeviceConfig::name,
            VsockSection::describe);
    }

    /** How a device appears in a change: every setting but its name. */
    public static String describe(final VsockDeviceConfig device)
    {
        return "socketPath=" + device.socketPath() + " udsPath=" + device.udsPath() + " guestCid=" + device.guestCid() +
            " bufAllocBytes=" + device.bufAllocBytes() + " maxStreams=" + device.maxStreams() +
            " maxMemoryRegions=" + device.maxMemoryRegions() + " maxRegionBytes=" + device.maxRegionBytes() +
            " maxGuestMemoryBytes=" + device.maxGuestMemoryBytes() + " connectTimeoutMs=" + device.connectTimeoutMs() +
            " handshakeTimeoutMs=" + device.handshakeTimeoutMs();
    }

    @Override
    protected VsockDeviceConfig device(final SectionReader item, final BindContext context)
    {
        final String name = item.requiredName("name", "device");
        final String socketPath = item.requiredUnixPath("socketPath", SectionReader.MAX_UNIX_PATH_BYTES);
        final String udsPath = item.requiredUnixPath("udsPath", MAX_UDS_PATH);
        if (null != socketPath && socketPath.equals(udsPath))
        {
            item.reject("udsPath", "udsPath must differ from socketPath (" + socketPath + ")");
        }
        final long guestCid = item.longValue("guestCid", VsockDeviceConfig.GUEST_CID.min(), VsockDeviceConfig.GUEST_CID);
        final int bufAllocBytes = item.integer("bufAllocBytes", BUF_ALLOC_BYTES, VsockDeviceConfig.BUF_ALLOC_BYTES);
        final int maxStreams = item.integer("maxStreams", MAX_STREAMS, VsockDeviceConfig.MAX_STREAMS);
        final int maxMemoryRegions = item.integer("maxMemoryRegions", MAX_MEMORY_REGIONS, VsockDeviceConfig.MAX_MEMORY_REGIONS);
        final long maxRegionBytes = item.longValue("maxRegionBytes", 0, VsockDeviceConfig.MEMORY_BYTES);
        final long maxGuestMemoryBytes = item.longValue("maxGuestMemoryBytes", 0, VsockDeviceConfig.MEMORY_BYTES);
        final int connectTimeoutMs = item.integer("connectTimeoutMs", CONNECT_TIMEOUT_MS, VsockDeviceConfig.TIMEOUT_MS);
        final int handshakeTimeoutMs = item.integer("handshakeTimeoutMs", HANDSHAKE_TIMEOUT_MS, VsockDeviceConfig.TIMEOUT_MS);
        item.finish();
        return null != name && null != socketPath && null != udsPath && !socketPath.equals(udsPath) ?
            new VsockDeviceConfig(name, socketPath, udsPath, guestCid, bufAllocBytes, maxStreams, maxMemoryRegions,
                maxRegionBytes, maxGuestMemoryBytes, connectTimeoutMs, handshakeTimeoutMs) : null;
    }
}
