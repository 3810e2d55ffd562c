package io.vplane.vsock.config;

import io.vplane.config.SettingRange;
import io.vplane.virtio.memory.GuestMemoryLimits;

/**
 * A vhost-user-vsock device: a VM's virtio-vsock device served over a Unix socket, with its host
 * side as a hybrid-vsock socket.
 *
 * @param name                unique device name
 * @param socketPath          Unix socket of the vhost-user channel (vplane listens, QEMU connects)
 * @param udsPath             hybrid-vsock socket host programs connect to ({@code CONNECT <port>});
 *                            a guest connecting to host port P reaches {@code udsPath_P}
 * @param guestCid            the guest's context id, in the device config space
 * @param bufAllocBytes       receive buffer each stream offers the guest (its credit, buf_alloc)
 * @param maxStreams          streams open at once; more are refused
 * @param maxMemoryRegions    regions a frontend's memory table may have
 * @param maxRegionBytes      bytes of one region; 0: the host's RAM
 * @param maxGuestMemoryBytes bytes of all regions together; 0: the host's RAM
 * @param connectTimeoutMs    how long the guest has to answer the device's REQUEST for a host
 *                            connection (RESPONSE or RST) before the host program's socket is
 *                            closed and the guest gets RST (Firecracker: 2 s)
 * @param handshakeTimeoutMs  how long a host program has to finish its {@code CONNECT <port>} line
 */
public record VsockDeviceConfig(
    String name,
    String socketPath,
    String udsPath,
    long guestCid,
    int bufAllocBytes,
    int maxStreams,
    int maxMemoryRegions,
    long maxRegionBytes,
    long maxGuestMemoryBytes,
    int connectTimeoutMs,
    int handshakeTimeoutMs)
{
    /** 0, 1 and 2 are the hypervisor, loopback and host; 2^32-1 is VMADDR_CID_ANY (virtio 1.2 §5.10.4 uses 32 bits). */
    public static final SettingRange GUEST_CID = new SettingRange(3, 0xFFFF_FFFEL);
    /** Linux's default buffer is 256 KiB and at most 256 MiB; one 64 KiB packet must fit. */
    public static final SettingRange BUF_ALLOC_BYTES = new SettingRange(64 * 1024, 64 * 1024 * 1024);
    public static final SettingRange MAX_STREAMS = new SettingRange(1, 65_536);
    public static final SettingRange MAX_MEMORY_REGIONS = GuestMemoryLimits.REGIONS_SETTING;
    public static final SettingRange MEMORY_BYTES = GuestMemoryLimits.BYTES_SETTING;
    public static final SettingRange TIMEOUT_MS = new SettingRange(10, 600_000);

    public VsockDeviceConfig
    {
        GUEST_CID.check("guestCid", guestCid);
        BUF_ALLOC_BYTES.check("bufAllocBytes", bufAllocBytes);
        MAX_STREAMS.check("maxStreams", maxStreams);
        GuestMemoryLimits.checkSettings(maxMemoryRegions, maxRegionBytes, maxGuestMemoryBytes);
        TIMEOUT_MS.check("connectTimeoutMs", connectTimeoutMs);
        TIMEOUT_MS.check("handshakeTimeoutMs", handshakeTimeoutMs);
    }

    /** A device with the default buffer, stream and memory limits. */
    public VsockDeviceConfig(final String name, final String socketPath, final String udsPath, final long guestCid)
    {
        this(name, socketPath, udsPath, guestCid, VsockSection.BUF_ALLOC_BYTES, VsockSection.MAX_STREAMS,
            VsockSection.MAX_MEMORY_REGIONS, 0, 0, VsockSection.CONNECT_TIMEOUT_MS, VsockSection.HANDSHAKE_TIMEOUT_MS);
    }

    /** The same device with both sockets resolved. */
    public VsockDeviceConfig withPaths(final String vhostUser, final String hybrid)
    {
        return new VsockDeviceConfig(name, vhostUser, hybrid, guestCid, bufAllocBytes, maxStreams, maxMemoryRegions,
            maxRegionBytes, maxGuestMemoryBytes, connectTimeoutMs, handshakeTimeoutMs);
    }

    /** What the device's frontends may map, with 0 read as the host's RAM now. */
    public GuestMemoryLimits memoryLimits()
    {
        return GuestMemoryLimits.fromSettings(maxMemoryRegions, maxRegionBytes, maxGuestMemoryBytes);
    }
}
