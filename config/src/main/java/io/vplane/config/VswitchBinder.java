package io.vplane.config;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** Binds the {@code vswitch} section: settings with their ranges, and the translation table entries. */
final class VswitchBinder
{
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,32}");
    private static final Pattern MAC = Pattern.compile("[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}");

    private VswitchBinder()
    {
    }

    static VswitchConfig vswitch(final SectionReader section)
    {
        final boolean enabled = section.bool("enabled", VswitchConfig.ENABLED);
        String name = section.string("name", VswitchConfig.NAME);
        if (!NAME.matcher(name).matches())
        {
            section.reject("name", "switch name '" + name + "' is not allowed; use 1 to 32 of A-Z a-z 0-9 _ . -");
            name = VswitchConfig.NAME;
        }
        final boolean antiSpoofing = section.bool("antiSpoofing", VswitchConfig.ANTI_SPOOFING);
        final boolean proxyArp = section.bool("proxyArp", VswitchConfig.PROXY_ARP);
        final boolean proxyNd = section.bool("proxyNd", VswitchConfig.PROXY_ND);
        final long macAgingMs = section.longValue("macAgingMs", VswitchConfig.MAC_AGING_MS, 1_000, 86_400_000);
        final int macTableSize = section.powerOfTwo("macTableSize", VswitchConfig.MAC_TABLE_SIZE, 64, 16_777_216);
        final int burstSize = section.integer("burstSize", VswitchConfig.BURST_SIZE, 1, 256);
        final int maxFrameBytes = section.integer("maxFrameBytes", VswitchConfig.MAX_FRAME_BYTES, 64, 65_535);
        final int maxVlanTags = section.integer("maxVlanTags", VswitchConfig.MAX_VLAN_TAGS, 0, 2);
        final int maxTableEntries = section.integer("maxTableEntries", VswitchConfig.MAX_TABLE_ENTRIES, 1, 16_777_216);
        final List<VswitchEntryConfig> table = new ArrayList<>();
        final Map<String, Integer> firstLineByIp = new HashMap<>();
        for (final SectionReader item : section.list("table"))
        {
            final VswitchEntryConfig entry = entry(item);
            if (null == entry)
            {
                continue;
            }
            final Integer firstLine = firstLineByIp.putIfAbsent(canonicalIp(entry.ip()), item.lineOf("ip"));
            if (null != firstLine)
            {
                item.reject("ip", "ip " + entry.ip() + " has two entries; first at line " + firstLine);
                continue;
            }
            table.add(entry);
        }
        if (table.size() > maxTableEntries)
        {
            section.reject("table", table.size() + " entries exceed maxTableEntries " + maxTableEntries);
        }
        section.finish();
        return new VswitchConfig(enabled, name, antiSpoofing, proxyArp, proxyNd, macAgingMs, macTableSize, burstSize,
            maxFrameBytes, maxVlanTags, maxTableEntries, table);
    }

    private static VswitchEntryConfig entry(final SectionReader item)
    {
        final String ip = item.requiredString("ip");
        final String localMac = item.requiredString("localMac");
        final String globalMac = item.requiredString("globalMac");
        final String port = item.requiredString("port");
        boolean ok = null != ip && null != localMac && null != globalMac && null != port;
        if (null != ip && null == canonicalIp(ip))
        {
            item.reject("ip", "'" + ip + "' is not an IPv4 or IPv6 address literal");
            ok = false;
        }
        ok &= checkMac(item, "localMac", localMac);
        ok &= checkMac(item, "globalMac", globalMac);
        if (null != port && !NAME.matcher(port).matches())
        {
            item.reject("port", "port name '" + port + "' is not allowed; use 1 to 32 of A-Z a-z 0-9 _ . -");
            ok = false;
        }
        item.finish();
        return ok ? new VswitchEntryConfig(ip, localMac, globalMac, port) : null;
    }

    private static boolean checkMac(final SectionReader item, final String key, final String mac)
    {
        if (null == mac)
        {
            return false;
        }
        if (!MAC.matcher(mac).matches())
        {
            item.reject(key, "'" + mac + "' is not a MAC address; write six hex octets like 02:00:00:00:00:01");
            return false;
        }
        // IEEE 802: the least significant bit of the first octet marks a group address
        if ((Integer.parseInt(mac.substring(0, 2), 16) & 1) != 0 || "00:00:00:00:00:00".equals(mac))
        {
            item.reject(key, "'" + mac + "' is a group or zero address; a VM needs a unicast MAC");
            return false;
        }
        return true;
    }

    /** The address in canonical form, or null when the text is no IP literal. */
    static String canonicalIp(final String text)
    {
        if (!IpLiteral.isLiteral(text))
        {
            return null;
        }
        return InetAddress.ofLiteral(text.strip()).getHostAddress();
    }
}
