package io.vplane.nic.uplink;

import io.vplane.config.BindContext;
import io.vplane.config.DeviceListSection;
import io.vplane.config.SectionReader;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** Reads the {@code devices.vxlan} list: every uplink applies live (added, removed or reopened). */
public final class VxlanUplinkSection extends DeviceListSection<VxlanUplinksConfig, VxlanUplinkConfig>
{
    public static final String BIND_ADDRESS = "0.0.0.0";
    /** IANA's VXLAN port (RFC 7348 §5). */
    public static final int UDP_PORT = 4789;
    public static final String VSWITCH = "vswitch0";
    public static final boolean ZERO_COPY = true;
    /** Sockets of one SO_REUSEPORT group the kernel steers between (its group grows to 65535; kept small). */
    public static final int MAX_VNIS = 256;

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    public VxlanUplinkSection()
    {
        super(VxlanUplinkProvider.KIND, VxlanUplinksConfig.class, VxlanUplinksConfig::new, VxlanUplinksConfig::uplinks,
            VxlanUplinkConfig::name, VxlanUplinkSection::describe);
    }

    /** How an uplink appears in a change: every setting but its name. */
    public static String describe(final VxlanUplinkConfig uplink)
    {
        return "bindAddress=" + uplink.bindAddress() + " udpPort=" + uplink.udpPort() + " vswitch=" + uplink.vswitch() +
            " remotes=" + uplink.remotes() + " vnis=" + uplink.vnis() + " zeroCopy=" + uplink.zeroCopy();
    }

    @Override
    protected VxlanUplinkConfig device(final SectionReader item, final BindContext context)
    {
        final String name = item.requiredName("name", "device");
        boolean ok = null != name;
        final String bindAddress = item.string("bindAddress", BIND_ADDRESS);
        if (!isIpv4(bindAddress))
        {
            item.reject("bindAddress", "'" + bindAddress + "' is not an IPv4 address literal");
            ok = false;
        }
        final int udpPort = item.integer("udpPort", UDP_PORT, VxlanUplinkConfig.UDP_PORT);
        final String vswitch = item.name("vswitch", VSWITCH, "switch");
        final List<String> remotes = item.stringList("remotes", List.of());
        for (final String remote : remotes)
        {
            if (!isIpv4(remote))
            {
                item.reject("remotes", "remote VTEP '" + remote + "' is not an IPv4 address literal");
                ok = false;
            }
        }
        final List<VxlanUplinkConfig.Segment> vnis = new ArrayList<>();
        final Set<Integer> seenVnis = new HashSet<>();
        final Set<String> seenPorts = new HashSet<>();
        for (final SectionReader segment : item.list("vnis"))
        {
            final int vni = segment.integer("vni", -1, VxlanUplinkConfig.VNI);
            final String vmPort = segment.requiredName("vmPort", "port");
            if (vni < 0)
            {
                segment.reject("vni", "vni is required: the 24-bit VXLAN network identifier, 0..16777215");
            }
            segment.finish();
            if (vni < 0 || null == vmPort)
            {
                ok = false;
                continue;
            }
            if (!seenVnis.add(vni))
            {
                segment.reject("vni", "VNI " + vni + " is listed twice");
                ok = false;
            }
            if (!seenPorts.add(vmPort))
            {
                segment.reject("vmPort", "port " + vmPort + " already has a VNI of this uplink");
                ok = false;
            }
            vnis.add(new VxlanUplinkConfig.Segment(vni, vmPort));
        }
        if (vnis.isEmpty())
        {
            item.reject("vnis", "a VXLAN uplink needs at least one {vni, vmPort}");
            ok = false;
        }
        else if (vnis.size() > MAX_VNIS)
        {
            item.reject("vnis", vnis.size() + " VNIs exceed " + MAX_VNIS);
            ok = false;
        }
        final boolean zeroCopy = item.bool("zeroCopy", ZERO_COPY);
        item.finish();
        return ok ? new VxlanUplinkConfig(name, bindAddress, udpPort, vswitch, remotes, vnis, zeroCopy) : null;
    }

    static boolean isIpv4(final String text)
    {
        if (null == text || !IPV4.matcher(text).matches())
        {
            return false;
        }
        try
        {
            return InetAddress.ofLiteral(text) instanceof Inet4Address;
        }
        catch (final IllegalArgumentException ex)
        {
            return false;
        }
    }
}
