package io.vplane.nic.port;

import io.vplane.config.BindContext;
import io.vplane.config.DeviceListSection;
import io.vplane.config.SectionReader;
import io.vplane.virtio.memory.GuestMemory;

import java.util.Locale;
import java.util.regex.Pattern;

/** Reads the {@code devices.vhostUser} list: every port applies live (added, removed or reopened). */
public final class VhostUserSection extends DeviceListSection<VhostUserPortsConfig, VhostUserPortConfig>
{
    public static final VhostUserPortConfig.Mode MODE = VhostUserPortConfig.Mode.SERVER;
    public static final int QUEUE_PAIRS = 1;
    public static final String MAC = "52:54:00:00:00:01";
    public static final VhostUserPortConfig.GuestTx GUEST_TX = VhostUserPortConfig.GuestTx.SINK;
    public static final VhostUserPortConfig.GuestRx GUEST_RX = VhostUserPortConfig.GuestRx.IDLE;
    public static final String VSWITCH = "vswitch0";
    public static final int SOURCE_FRAME_BYTES = 60;
    public static final int MAX_MEMORY_REGIONS = GuestMemory.MAX_REGIONS;
    /** 0: the host's RAM, so by default no region and no guest is larger than the host. */
    public static final long MAX_REGION_BYTES = 0;
    public static final long MAX_GUEST_MEMORY_BYTES = 0;

    private static final Pattern MAC_PATTERN = Pattern.compile("[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}");

    public VhostUserSection()
    {
        super(VhostUserPortProvider.KIND, VhostUserPortsConfig.class, VhostUserPortsConfig::new,
            VhostUserPortsConfig::ports, VhostUserPortConfig::name, VhostUserSection::describe);
    }

    /** How a port appears in a change: every setting but its name. */
    public static String describe(final VhostUserPortConfig port)
    {
        return "socketPath=" + port.socketPath() + " mode=" + port.mode() + " queuePairs=" + port.queuePairs() +
            " mac=" + port.mac() + " guestTx=" + port.guestTx() + " guestRx=" + port.guestRx() +
            " sourceFrameBytes=" + port.sourceFrameBytes() + " vswitch=" + port.vswitch() +
            " maxMemoryRegions=" + port.maxMemoryRegions() + " maxRegionBytes=" + port.maxRegionBytes() +
            " maxGuestMemoryBytes=" + port.maxGuestMemoryBytes();
    }

    /**
     * @return the port, or null when its name or socket path is missing or bad
     */
    @Override
    protected VhostUserPortConfig device(final SectionReader item, final BindContext context)
    {
        final String name = item.requiredName("name", "device");
        final String socketPath = item.requiredUnixPath("socketPath", SectionReader.MAX_UNIX_PATH_BYTES);
        final VhostUserPortConfig.Mode mode =
            item.enumValue("mode", MODE, VhostUserPortConfig.Mode.values(), VhostUserPortConfig.Mode::toString, "mode");
        final int queuePairs = item.integer("queuePairs", QUEUE_PAIRS, 1, 16);
        final String mac = item.string("mac", MAC);
        if (!MAC_PATTERN.matcher(mac).matches() || (Integer.parseInt(mac.substring(0, 2), 16) & 1) != 0)
        {
            item.reject("mac", "MAC '" + mac + "' must be six hex bytes like 52:54:00:12:34:56, not multicast");
        }
        final VhostUserPortConfig.GuestTx guestTx = item.enumValue(
            "guestTx", GUEST_TX, VhostUserPortConfig.GuestTx.values(), VhostUserPortConfig.GuestTx::toString, "guestTx action");
        final VhostUserPortConfig.GuestRx guestRx = item.enumValue(
            "guestRx", GUEST_RX, VhostUserPortConfig.GuestRx.values(), VhostUserPortConfig.GuestRx::toString, "guestRx feed");
        final int sourceFrameBytes = item.integer("sourceFrameBytes", SOURCE_FRAME_BYTES, 60, 9_000);
        if (VhostUserPortConfig.GuestRx.SOURCE == guestRx && VhostUserPortConfig.GuestTx.SINK != guestTx)
        {
            item.reject("guestRx", "guestRx 'source' and guestTx '" + guestTx + "' both feed the receive queues; choose one");
        }
        final String vswitch = item.name("vswitch", VSWITCH, "switch");
        final int maxMemoryRegions = item.integer("maxMemoryRegions", MAX_MEMORY_REGIONS, VhostUserPortConfig.MAX_MEMORY_REGIONS);
        final long maxRegionBytes = item.longValue("maxRegionBytes", MAX_REGION_BYTES, VhostUserPortConfig.MEMORY_BYTES);
        final long maxGuestMemoryBytes =
            item.longValue("maxGuestMemoryBytes", MAX_GUEST_MEMORY_BYTES, VhostUserPortConfig.MEMORY_BYTES);
        item.finish();
        return null != name && null != socketPath ? new VhostUserPortConfig(name, socketPath, mode, queuePairs,
            mac.toLowerCase(Locale.ROOT), guestTx, guestRx, sourceFrameBytes, vswitch, maxMemoryRegions, maxRegionBytes,
            maxGuestMemoryBytes) : null;
    }
}
