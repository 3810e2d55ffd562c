package io.vplane.nic.port;

import io.vplane.config.SettingRange;
import io.vplane.virtio.memory.GuestMemoryLimits;

import java.util.Locale;

/**
 * A vhost-user net port: a virtio-net device served to a VM or DPDK virtio-user over a Unix socket.
 *
 * @param name             unique device name
 * @param socketPath       Unix socket path of the vhost-user channel
 * @param mode             who listens on {@code socketPath}
 * @param queuePairs       virtio-net queue pairs offered (each a receive and a transmit virtqueue)
 * @param mac              MAC address in the device config space, {@code 52:54:00:12:34:56}
 * @param guestTx          what happens to frames the guest sends
 * @param guestRx          what fills the guest's receive buffers
 * @param sourceFrameBytes length of a generated frame without the virtio-net header and FCS
 * @param vswitch          name of the switch the port joins with {@code guestTx: switch}
 * @param maxMemoryRegions    regions a frontend's memory table may have
 * @param maxRegionBytes      bytes of one region; 0: the host's RAM
 * @param maxGuestMemoryBytes bytes of all regions together; 0: the host's RAM
 */
public record VhostUserPortConfig(
    String name,
    String socketPath,
    Mode mode,
    int queuePairs,
    String mac,
    GuestTx guestTx,
    GuestRx guestRx,
    int sourceFrameBytes,
    String vswitch,
    int maxMemoryRegions,
    long maxRegionBytes,
    long maxGuestMemoryBytes)
{
    public static final SettingRange MAX_MEMORY_REGIONS = GuestMemoryLimits.REGIONS_SETTING;
    public static final SettingRange MEMORY_BYTES = GuestMemoryLimits.BYTES_SETTING;

    public VhostUserPortConfig
    {
        GuestMemoryLimits.checkSettings(maxMemoryRegions, maxRegionBytes, maxGuestMemoryBytes);
    }

    /** Who listens on the socket. */
    public enum Mode
    {
        /** vplane listens and the frontend connects. */
        SERVER,
        /** vplane connects to a listening frontend and reconnects when it goes away. */
        CLIENT;

        /** As written in the file. */
        @Override
        public String toString()
        {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** What happens to frames the guest sends. */
    public enum GuestTx
    {
        /** Counted and dropped. */
        SINK,
        /** Back into the same pair's receive queue. */
        LOOPBACK,
        /** Into the vSwitch {@code vswitch}, which also feeds the receive queues. */
        SWITCH;

        /** As written in the file. */
        @Override
        public String toString()
        {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** What fills the guest's receive buffers. */
    public enum GuestRx
    {
        /** Only what loopback or the switch sends. */
        IDLE,
        /** Generated frames, flat out. */
        SOURCE;

        /** As written in the file. */
        @Override
        public String toString()
        {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** A port with the default guest-memory limits. */
    public VhostUserPortConfig(
        final String name,
        final String socketPath,
        final Mode mode,
        final int queuePairs,
        final String mac,
        final GuestTx guestTx,
        final GuestRx guestRx,
        final int sourceFrameBytes,
        final String vswitch)
    {
        this(name, socketPath, mode, queuePairs, mac, guestTx, guestRx, sourceFrameBytes, vswitch,
            VhostUserSection.MAX_MEMORY_REGIONS, VhostUserSection.MAX_REGION_BYTES, VhostUserSection.MAX_GUEST_MEMORY_BYTES);
    }

    /** The same port on another socket path. */
    public VhostUserPortConfig withSocketPath(final String path)
    {
        return new VhostUserPortConfig(name, path, mode, queuePairs, mac, guestTx, guestRx, sourceFrameBytes, vswitch,
            maxMemoryRegions, maxRegionBytes, maxGuestMemoryBytes);
    }

    /** What the port's frontends may map, with 0 read as the host's RAM now. */
    public GuestMemoryLimits memoryLimits()
    {
        return GuestMemoryLimits.fromSettings(maxMemoryRegions, maxRegionBytes, maxGuestMemoryBytes);
    }

    public boolean switched()
    {
        return GuestTx.SWITCH == guestTx;
    }
}
