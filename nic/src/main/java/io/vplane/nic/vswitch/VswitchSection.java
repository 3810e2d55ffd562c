package io.vplane.nic.vswitch;

import io.vplane.config.BindContext;
import io.vplane.config.ConfigDiff;
import io.vplane.config.IpLiteral;
import io.vplane.config.KeyedSection;
import io.vplane.config.SectionReader;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The {@code vswitch} section: settings with their ranges (declared in {@link VswitchConfig}), and
 * the translation table entries. Every setting applies live: the switch device is reopened with the
 * new settings and table (learned MACs are relearned).
 */
public final class VswitchSection extends KeyedSection<VswitchConfig>
{
    public static final String KEY = "vswitch";
    public static final boolean ENABLED = false;
    public static final String NAME = "vswitch0";
    public static final boolean ANTI_SPOOFING = true;
    public static final boolean PROXY_ARP = false;
    public static final boolean PROXY_ND = false;
    public static final long MAC_AGING_MS = 300_000;
    public static final int MAC_TABLE_SIZE = 4096;
    public static final int BURST_SIZE = 32;
    public static final int MAX_FRAME_BYTES = 9216;
    public static final int MAX_VLAN_TAGS = 2;
    public static final int MAX_TABLE_ENTRIES = 65536;

    private static final Pattern MAC = Pattern.compile("[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}");

    public VswitchSection()
    {
        super(KEY, Place.ROOT, VswitchConfig.class);
    }

    @Override
    public VswitchConfig defaults()
    {
        return VswitchConfig.defaults(NAME);
    }

    @Override
    public VswitchConfig bind(final SectionReader parent, final BindContext context)
    {
        final SectionReader section = parent.section(KEY);
        final boolean enabled = section.bool("enabled", ENABLED);
        final String name = section.name("name", NAME, "switch");
        final boolean antiSpoofing = section.bool("antiSpoofing", ANTI_SPOOFING);
        final boolean proxyArp = section.bool("proxyArp", PROXY_ARP);
        final boolean proxyNd = section.bool("proxyNd", PROXY_ND);
        final long macAgingMs = section.longValue("macAgingMs", MAC_AGING_MS, VswitchConfig.MAC_AGING_MS);
        final int macTableSize = section.powerOfTwo("macTableSize", MAC_TABLE_SIZE, VswitchConfig.MAC_TABLE_SIZE);
        final int burstSize = section.integer("burstSize", BURST_SIZE, VswitchConfig.BURST_SIZE);
        final int maxFrameBytes = section.integer("maxFrameBytes", MAX_FRAME_BYTES, VswitchConfig.MAX_FRAME_BYTES);
        final int maxVlanTags = section.integer("maxVlanTags", MAX_VLAN_TAGS, VswitchConfig.MAX_VLAN_TAGS);
        final int maxTableEntries = section.integer("maxTableEntries", MAX_TABLE_ENTRIES, VswitchConfig.MAX_TABLE_ENTRIES);
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

    @Override
    public void diff(final VswitchConfig running, final VswitchConfig next, final ConfigDiff diff)
    {
        diff.compare("vswitch.enabled", running.enabled(), next.enabled(), ConfigDiff.LIVE);
        diff.compare("vswitch.name", running.name(), next.name(), ConfigDiff.LIVE);
        diff.compare("vswitch.antiSpoofing", running.antiSpoofing(), next.antiSpoofing(), ConfigDiff.LIVE);
        diff.compare("vswitch.proxyArp", running.proxyArp(), next.proxyArp(), ConfigDiff.LIVE);
        diff.compare("vswitch.proxyNd", running.proxyNd(), next.proxyNd(), ConfigDiff.LIVE);
        diff.compare("vswitch.macAgingMs", running.macAgingMs(), next.macAgingMs(), ConfigDiff.LIVE);
        diff.compare("vswitch.macTableSize", running.macTableSize(), next.macTableSize(), ConfigDiff.LIVE);
        diff.compare("vswitch.burstSize", running.burstSize(), next.burstSize(), ConfigDiff.LIVE);
        diff.compare("vswitch.maxFrameBytes", running.maxFrameBytes(), next.maxFrameBytes(), ConfigDiff.LIVE);
        diff.compare("vswitch.maxVlanTags", running.maxVlanTags(), next.maxVlanTags(), ConfigDiff.LIVE);
        diff.compare("vswitch.maxTableEntries", running.maxTableEntries(), next.maxTableEntries(), ConfigDiff.LIVE);
        diff.compare("vswitch.table", running.table(), next.table(), ConfigDiff.LIVE);
    }

    private static VswitchEntryConfig entry(final SectionReader item)
    {
        final String ip = item.requiredString("ip");
        final String localMac = item.requiredString("localMac");
        final String globalMac = item.requiredString("globalMac");
        final String port = item.requiredName("port", "port");
        boolean ok = null != ip && null != localMac && null != globalMac && null != port;
        if (null != ip && null == canonicalIp(ip))
        {
            item.reject("ip", "'" + ip + "' is not an IPv4 or IPv6 address literal");
            ok = false;
        }
        ok &= checkMac(item, "localMac", localMac);
        ok &= checkMac(item, "globalMac", globalMac);
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
