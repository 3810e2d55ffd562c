package io.vplane.nic.frame;

/**
 * What {@link FrameParser} found in one frame: offsets and the addresses the switch decides on.
 * One instance is reused for every frame of a burst; values are valid until the next parse.
 */
public final class ParsedFrame
{
    /** Neither IPv4, IPv6 nor Ethernet/IPv4 ARP: switched on the Ethernet header alone. */
    public static final int KIND_OTHER = 0;
    public static final int KIND_IPV4 = 1;
    public static final int KIND_IPV6 = 2;
    public static final int KIND_ARP = 3;

    int length;
    long dstMac;
    long srcMac;
    int tagCount;
    int vlanId;
    int etherType;
    int l3Offset;
    int kind;
    long srcIpHi;
    long srcIpLo;
    long dstIpHi;
    long dstIpLo;
    int arpOper;
    int icmpOffset;
    int icmpLength;
    int ndpType;
    long ndpTargetHi;
    long ndpTargetLo;
    int sourceLinkLayerOffset;

    void reset(final int frameLength)
    {
        length = frameLength;
        dstMac = 0;
        srcMac = 0;
        tagCount = 0;
        vlanId = 0;
        etherType = 0;
        l3Offset = 0;
        kind = KIND_OTHER;
        srcIpHi = 0;
        srcIpLo = 0;
        dstIpHi = 0;
        dstIpLo = 0;
        arpOper = 0;
        icmpOffset = -1;
        icmpLength = 0;
        ndpType = 0;
        ndpTargetHi = 0;
        ndpTargetLo = 0;
        sourceLinkLayerOffset = -1;
    }

    public int length()
    {
        return length;
    }

    public long dstMac()
    {
        return dstMac;
    }

    public long srcMac()
    {
        return srcMac;
    }

    public int tagCount()
    {
        return tagCount;
    }

    /** VLAN id of the outermost tag, 0 when untagged (or priority-tagged, 802.1Q §9.6). */
    public int vlanId()
    {
        return vlanId;
    }

    public int etherType()
    {
        return etherType;
    }

    public int l3Offset()
    {
        return l3Offset;
    }

    public int kind()
    {
        return kind;
    }

    /** True for IPv4, IPv6 and ARP frames: the IP addresses below are meaningful. */
    public boolean hasIp()
    {
        return kind != KIND_OTHER;
    }

    /** Source IP (ARP: sender protocol address), as an {@link IpAddressKey}. */
    public long srcIpHi()
    {
        return srcIpHi;
    }

    public long srcIpLo()
    {
        return srcIpLo;
    }

    /** Destination IP (ARP: target protocol address), as an {@link IpAddressKey}. */
    public long dstIpHi()
    {
        return dstIpHi;
    }

    public long dstIpLo()
    {
        return dstIpLo;
    }

    public int arpOper()
    {
        return arpOper;
    }

    /** Offset of an NDP message (ICMPv6 type 133..137) in the frame, or -1. */
    public int icmpOffset()
    {
        return icmpOffset;
    }

    public int icmpLength()
    {
        return icmpLength;
    }

    public boolean isNdp()
    {
        return icmpOffset >= 0;
    }

    public int ndpType()
    {
        return ndpType;
    }

    public long ndpTargetHi()
    {
        return ndpTargetHi;
    }

    public long ndpTargetLo()
    {
        return ndpTargetLo;
    }

    /** Offset in the frame of the first source link-layer address option of an NS, or -1. */
    public int sourceLinkLayerOffset()
    {
        return sourceLinkLayerOffset;
    }
}
