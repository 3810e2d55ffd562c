package io.vplane.virtio.memory;

import io.vplane.config.SettingRange;

import java.lang.management.ManagementFactory;

/**
 * How much guest memory one frontend may have this process map with SET_MEM_TABLE: a table over
 * a limit is refused (vhost-user.rst: REPLY_ACK with a non-zero value), so a frontend cannot
 * exhaust the daemon's address space or page tables with sparse files of any size.
 *
 * @param maxRegions     regions per table; default 8 (vhost-user.rst VHOST_MEMORY_BASELINE_NREGIONS,
 *                       the most a frontend sends without CONFIGURE_MEM_SLOTS, which is not offered)
 * @param maxRegionBytes bytes per region; default the host's RAM
 * @param maxTotalBytes  bytes of all regions of a table; default the host's RAM (no guest has more
 *                       RAM than its host)
 */
public record GuestMemoryLimits(int maxRegions, long maxRegionBytes, long maxTotalBytes)
{
    /** A device's {@code maxMemoryRegions} setting: VHOST_MEMORY_BASELINE_NREGIONS at the most (CONFIGURE_MEM_SLOTS is not offered). */
    public static final SettingRange REGIONS_SETTING = new SettingRange(1, GuestMemory.MAX_REGIONS);
    /** Its {@code maxRegionBytes} and {@code maxGuestMemoryBytes}: 0 stands for the host's RAM, read when the device opens; 2^50 (1 PiB) is past any host's. */
    public static final SettingRange BYTES_SETTING = new SettingRange(0, 1L << 50);

    public GuestMemoryLimits
    {
        if (maxRegions < 1 || maxRegions > GuestMemory.MAX_REGIONS || maxRegionBytes <= 0 || maxTotalBytes <= 0)
        {
            throw new IllegalArgumentException("guest memory limits: 1.." + GuestMemory.MAX_REGIONS +
                " regions and positive sizes, got " + maxRegions + ", " + maxRegionBytes + ", " + maxTotalBytes);
        }
    }

    /** Checks the three settings of a vhost-user device's config entry. */
    public static void checkSettings(final int maxMemoryRegions, final long maxRegionBytes, final long maxGuestMemoryBytes)
    {
        REGIONS_SETTING.check("maxMemoryRegions", maxMemoryRegions);
        BYTES_SETTING.check("maxRegionBytes", maxRegionBytes);
        BYTES_SETTING.check("maxGuestMemoryBytes", maxGuestMemoryBytes);
    }

    /** The limits of a device's settings, with 0 read as the host's RAM now. */
    public static GuestMemoryLimits fromSettings(final int maxMemoryRegions, final long maxRegionBytes, final long maxGuestMemoryBytes)
    {
        final long ram = hostRamBytes();
        return new GuestMemoryLimits(maxMemoryRegions, 0 == maxRegionBytes ? ram : maxRegionBytes,
            0 == maxGuestMemoryBytes ? ram : maxGuestMemoryBytes);
    }

    /** 8 regions, each and all together at most the host's RAM. */
    public static GuestMemoryLimits defaults()
    {
        final long ram = hostRamBytes();
        return new GuestMemoryLimits(GuestMemory.MAX_REGIONS, ram, ram);
    }

    /** Physical memory of the host (or of the container the daemon is limited to). */
    public static long hostRamBytes()
    {
        final long bytes = ((com.sun.management.OperatingSystemMXBean)ManagementFactory.getOperatingSystemMXBean()).getTotalMemorySize();
        return bytes > 0 ? bytes : Long.MAX_VALUE;
    }
}
