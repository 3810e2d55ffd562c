package io.vplane.nic.vswitch;

import io.vplane.config.SettingRange;

import java.util.List;

/**
 * The software switch (section {@code vswitch}): forwarding between net ports and the uplink, and
 * the IP-hash MAC translation table. Validated once, by the section's binder for the file and by
 * this constructor for the rest; copied into final fields of the stage. Defaults are documented in
 * {@code vplane.yaml} and held by {@link VswitchSection}.
 *
 * @param enabled         run the switch (a net device with one queue, named {@code name})
 * @param name            switch name, device name and counter label
 * @param antiSpoofing    drop frames whose source IP belongs to a VM behind another port
 * @param proxyArp        answer ARP requests for table IPs from the table
 * @param proxyNd         answer IPv6 neighbour solicitations for table IPs from the table
 * @param macAgingMs      milliseconds a learned MAC lives without traffic from it
 * @param macTableSize    learned-MAC slots (power of two)
 * @param burstSize       frames taken from one port per burst
 * @param maxFrameBytes   longest frame accepted, without FCS
 * @param maxVlanTags     VLAN tags accepted per frame
 * @param maxTableEntries translation entries the table may hold (config plus live changes)
 * @param table           the translation entries
 */
public record VswitchConfig(
    boolean enabled,
    String name,
    boolean antiSpoofing,
    boolean proxyArp,
    boolean proxyNd,
    long macAgingMs,
    int macTableSize,
    int burstSize,
    int maxFrameBytes,
    int maxVlanTags,
    int maxTableEntries,
    List<VswitchEntryConfig> table)
{
    public static final SettingRange MAC_AGING_MS = new SettingRange(1_000, 86_400_000);
    /** A power of two in this range: the slot index is a mask of the hash. */
    public static final SettingRange MAC_TABLE_SIZE = new SettingRange(64, 16_777_216);
    public static final SettingRange BURST_SIZE = new SettingRange(1, 256);
    public static final SettingRange MAX_FRAME_BYTES = new SettingRange(64, 65_535);
    /** None, one 802.1Q tag, or an 802.1ad pair. */
    public static final SettingRange MAX_VLAN_TAGS = new SettingRange(0, 2);
    public static final SettingRange MAX_TABLE_ENTRIES = new SettingRange(1, 16_777_216);
    /** Most ports (attached, or named by table entries) one switch takes. */
    public static final int MAX_PORTS = 1024;

    public VswitchConfig
    {
        MAC_AGING_MS.check("macAgingMs", macAgingMs);
        MAC_TABLE_SIZE.check("macTableSize", macTableSize);
        if (Integer.bitCount(macTableSize) != 1)
        {
            throw new IllegalArgumentException("macTableSize must be a power of two: " + macTableSize);
        }
        BURST_SIZE.check("burstSize", burstSize);
        MAX_FRAME_BYTES.check("maxFrameBytes", maxFrameBytes);
        MAX_VLAN_TAGS.check("maxVlanTags", maxVlanTags);
        MAX_TABLE_ENTRIES.check("maxTableEntries", maxTableEntries);
        table = List.copyOf(table);
    }

    /** A switch called {@code name} with every other setting at its default. */
    public static VswitchConfig defaults(final String name)
    {
        return new VswitchConfig(VswitchSection.ENABLED, name, VswitchSection.ANTI_SPOOFING, VswitchSection.PROXY_ARP,
            VswitchSection.PROXY_ND, VswitchSection.MAC_AGING_MS, VswitchSection.MAC_TABLE_SIZE, VswitchSection.BURST_SIZE,
            VswitchSection.MAX_FRAME_BYTES, VswitchSection.MAX_VLAN_TAGS, VswitchSection.MAX_TABLE_ENTRIES, List.of());
    }

    public VswitchConfig withProxy(final boolean arp, final boolean nd)
    {
        return new VswitchConfig(enabled, name, antiSpoofing, arp, nd, macAgingMs, macTableSize, burstSize, maxFrameBytes,
            maxVlanTags, maxTableEntries, table);
    }

    public VswitchConfig withAntiSpoofing(final boolean on)
    {
        return new VswitchConfig(enabled, name, on, proxyArp, proxyNd, macAgingMs, macTableSize, burstSize, maxFrameBytes,
            maxVlanTags, maxTableEntries, table);
    }
}
