package io.vplane.nic.vswitch;

/**
 * Settings of one switch, validated once; copied into final fields of the stage.
 *
 * @param name            switch name, a counter label
 * @param antiSpoofing    drop frames whose source IP belongs to a VM behind another port
 * @param proxyArp        answer ARP requests for table IPs from the table
 * @param proxyNd         answer neighbour solicitations for table IPs from the table
 * @param macAgingMs      a learned MAC is forgotten after this long without a frame from it
 * @param macTableSize    learned-MAC slots, a power of two
 * @param burstSize       frames taken from one port per burst
 * @param maxFrameBytes   longest frame accepted, without FCS
 * @param maxVlanTags     VLAN tags accepted per frame (0..2)
 * @param maxPorts        ports (attached or named by table entries)
 * @param maxTableEntries entries the translation table may hold
 */
public record VswitchSettings(
    String name,
    boolean antiSpoofing,
    boolean proxyArp,
    boolean proxyNd,
    long macAgingMs,
    int macTableSize,
    int burstSize,
    int maxFrameBytes,
    int maxVlanTags,
    int maxPorts,
    int maxTableEntries)
{
    public VswitchSettings
    {
        if (Integer.bitCount(macTableSize) != 1 || macTableSize < 64)
        {
            throw new IllegalArgumentException("macTableSize must be a power of two >= 64: " + macTableSize);
        }
        if (burstSize < 1 || burstSize > 256)
        {
            throw new IllegalArgumentException("burstSize must be 1..256: " + burstSize);
        }
        if (macAgingMs < 1)
        {
            throw new IllegalArgumentException("macAgingMs must be positive: " + macAgingMs);
        }
        if (maxFrameBytes < 64 || maxFrameBytes > 65535)
        {
            throw new IllegalArgumentException("maxFrameBytes must be 64..65535: " + maxFrameBytes);
        }
    }

    public static VswitchSettings defaults(final String name)
    {
        return new VswitchSettings(name, true, false, false, 300_000, 4096, 32, 9216, 2, 256, 65536);
    }

    public VswitchSettings withProxy(final boolean arp, final boolean nd)
    {
        return new VswitchSettings(name, antiSpoofing, arp, nd, macAgingMs, macTableSize, burstSize, maxFrameBytes,
            maxVlanTags, maxPorts, maxTableEntries);
    }

    public VswitchSettings withAntiSpoofing(final boolean enabled)
    {
        return new VswitchSettings(name, enabled, proxyArp, proxyNd, macAgingMs, macTableSize, burstSize, maxFrameBytes,
            maxVlanTags, maxPorts, maxTableEntries);
    }
}
