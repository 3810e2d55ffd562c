package io.vplane.config;

import java.util.List;

/**
 * The software switch (section {@code vswitch}): forwarding between net ports and the uplink, and
 * the IP-hash MAC translation table. Defaults and ranges are documented in {@code vplane.yaml}.
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

    public VswitchConfig
    {
        table = List.copyOf(table);
    }

    public static VswitchConfig defaults()
    {
        return new VswitchConfig(ENABLED, NAME, ANTI_SPOOFING, PROXY_ARP, PROXY_ND, MAC_AGING_MS, MAC_TABLE_SIZE, BURST_SIZE,
            MAX_FRAME_BYTES, MAX_VLAN_TAGS, MAX_TABLE_ENTRIES, List.of());
    }
}
