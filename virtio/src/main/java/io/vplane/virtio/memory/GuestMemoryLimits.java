package io.vplane.virtio.memory;

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
    public GuestMemoryLimits
    {
        if (maxRegions < 1 || maxRegions > GuestMemory.MAX_REGIONS || maxRegionBytes <= 0 || maxTotalBytes <= 0)
        {
            throw new IllegalArgumentException("guest memory limits: 1.." + GuestMemory.MAX_REGIONS +
                " regions and positive sizes, got " + maxRegions + ", " + maxRegionBytes + ", " + maxTotalBytes);
        }
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
