package io.vplane.nic.frame;

import org.agrona.DirectBuffer;

import java.nio.ByteOrder;

/**
 * Checks a frame's headers against its length and fills a {@link ParsedFrame}. It reads nothing
 * beyond {@code length}, allocates nothing, and reports the first fault as a result code, so a
 * hostile frame costs one bounded pass and a counter.
 */
public final class FrameParser
{
    public static final int OK = 0;
    /** Shorter than an Ethernet header (plus its tags). */
    public static final int RUNT = 1;
    public static final int OVERSIZED = 2;
    public static final int TOO_MANY_TAGS = 3;
    public static final int TRUNCATED_IP = 4;
    public static final int TRUNCATED_ARP = 5;
    public static final int TRUNCATED_NDP = 6;

    /** Most tags a frame may carry: 2 is QinQ (802.1ad outer, 802.1Q inner). */
    public static final int MAX_SUPPORTED_TAGS = 2;

    private final int maxTags;
    private final int maxFrameBytes;

    /**
     * @param maxTags       VLAN tags accepted before the frame is dropped, 0..{@value #MAX_SUPPORTED_TAGS}
     * @param maxFrameBytes longest frame accepted, without FCS
     */
    public FrameParser(final int maxTags, final int maxFrameBytes)
    {
        if (maxTags < 0 || maxTags > MAX_SUPPORTED_TAGS)
        {
            throw new IllegalArgumentException("maxTags must be 0.." + MAX_SUPPORTED_TAGS + ": " + maxTags);
        }
        this.maxTags = maxTags;
        this.maxFrameBytes = maxFrameBytes;
    }

    /**
     * @param buffer the frame, at offset 0
     * @param length bytes of the frame
     * @param frame  filled in
     * @return {@link #OK} or the fault found
     */
    public int parse(final DirectBuffer buffer, final int length, final ParsedFrame frame)
    {
        return parse(buffer, length, length, frame);
    }

    /**
     * Parses a frame of which only the first {@code visible} bytes are in {@code buffer} (the
     * switch's copy of a guest frame's start): headers must lie within them, lengths are checked
     * against the whole frame. A header that reaches past them is reported as truncated.
     *
     * @param visible bytes of the frame in {@code buffer}, at most {@code length}
     * @param length  bytes of the whole frame
     */
    public int parse(final DirectBuffer buffer, final int visible, final int length, final ParsedFrame frame)
    {
        frame.reset(length);
        if (length < Ethernet.HEADER_LENGTH || visible < Ethernet.HEADER_LENGTH)
        {
            return RUNT;
        }
        if (length > maxFrameBytes)
        {
            return OVERSIZED;
        }
        frame.dstMac = MacAddress.read(buffer, Ethernet.DST_OFFSET);
        frame.srcMac = MacAddress.read(buffer, Ethernet.SRC_OFFSET);
        int typeOffset = Ethernet.TYPE_OFFSET;
        int type = buffer.getShort(typeOffset, ByteOrder.BIG_ENDIAN) & 0xFFFF;
        int tags = 0;
        while (Ethernet.isTagType(type))
        {
            if (tags == maxTags)
            {
                return TOO_MANY_TAGS;
            }
            if (typeOffset + Ethernet.TAG_LENGTH + 2 > visible)
            {
                return RUNT;
            }
            if (tags == 0)
            {
                frame.vlanId = buffer.getShort(typeOffset + Ethernet.TAG_TCI_OFFSET, ByteOrder.BIG_ENDIAN) & Ethernet.VID_MASK;
            }
            tags++;
            typeOffset += Ethernet.TAG_LENGTH;
            type = buffer.getShort(typeOffset, ByteOrder.BIG_ENDIAN) & 0xFFFF;
        }
        frame.tagCount = tags;
        frame.etherType = type;
        final int l3 = typeOffset + 2;
        frame.l3Offset = l3;
        return switch (type)
        {
            case Ethernet.TYPE_IPV4 -> parseIpv4(buffer, l3, visible, length, frame);
            case Ethernet.TYPE_IPV6 -> parseIpv6(buffer, l3, visible, length, frame);
            case Ethernet.TYPE_ARP -> parseArp(buffer, l3, visible, frame);
            default -> OK;
        };
    }

    private static int parseIpv4(
        final DirectBuffer buffer, final int l3, final int visible, final int length, final ParsedFrame frame)
    {
        if (l3 + Ipv4.MIN_HEADER_LENGTH > visible)
        {
            return TRUNCATED_IP;
        }
        final int versionIhl = buffer.getByte(l3 + Ipv4.VERSION_IHL_OFFSET) & 0xFF;
        final int headerLength = (versionIhl & 0xF) * 4;
        final int totalLength = buffer.getShort(l3 + Ipv4.TOTAL_LENGTH_OFFSET, ByteOrder.BIG_ENDIAN) & 0xFFFF;
        if ((versionIhl >>> 4) != 4 || headerLength < Ipv4.MIN_HEADER_LENGTH || totalLength < headerLength ||
            l3 + totalLength > length)
        {
            return TRUNCATED_IP;
        }
        frame.kind = ParsedFrame.KIND_IPV4;
        frame.srcIpLo = IpAddressKey.v4Lo(buffer.getInt(l3 + Ipv4.SRC_OFFSET, ByteOrder.BIG_ENDIAN));
        frame.dstIpLo = IpAddressKey.v4Lo(buffer.getInt(l3 + Ipv4.DST_OFFSET, ByteOrder.BIG_ENDIAN));
        return OK;
    }

    private static int parseIpv6(
        final DirectBuffer buffer, final int l3, final int visible, final int length, final ParsedFrame frame)
    {
        if (l3 + Ipv6.HEADER_LENGTH > visible || (buffer.getByte(l3) & 0xF0) != 0x60)
        {
            return TRUNCATED_IP;
        }
        final int payloadLength = buffer.getShort(l3 + Ipv6.PAYLOAD_LENGTH_OFFSET, ByteOrder.BIG_ENDIAN) & 0xFFFF;
        if (l3 + Ipv6.HEADER_LENGTH + payloadLength > length)
        {
            return TRUNCATED_IP;
        }
        frame.kind = ParsedFrame.KIND_IPV6;
        frame.srcIpHi = buffer.getLong(l3 + Ipv6.SRC_OFFSET, ByteOrder.BIG_ENDIAN);
        frame.srcIpLo = buffer.getLong(l3 + Ipv6.SRC_OFFSET + 8, ByteOrder.BIG_ENDIAN);
        frame.dstIpHi = buffer.getLong(l3 + Ipv6.DST_OFFSET, ByteOrder.BIG_ENDIAN);
        frame.dstIpLo = buffer.getLong(l3 + Ipv6.DST_OFFSET + 8, ByteOrder.BIG_ENDIAN);
        if ((buffer.getByte(l3 + Ipv6.NEXT_HEADER_OFFSET) & 0xFF) != Ipv6.NEXT_HEADER_ICMPV6)
        {
            return OK;
        }
        final int icmp = l3 + Ipv6.HEADER_LENGTH;
        if (payloadLength < 4 || icmp + 4 > visible)
        {
            return TRUNCATED_IP;
        }
        final int type = buffer.getByte(icmp + Ndp.TYPE_OFFSET) & 0xFF;
        if (!Ndp.isNdp(type))
        {
            return OK;
        }
        // the whole NDP message, options included, is decided on: all of it must be visible
        return icmp + payloadLength > visible ? TRUNCATED_NDP : parseNdp(buffer, icmp, payloadLength, type, frame);
    }

    private static int parseNdp(
        final DirectBuffer buffer, final int icmp, final int icmpLength, final int type, final ParsedFrame frame)
    {
        final int optionsStart = Ndp.optionsOffset(type);
        if (icmpLength < optionsStart)
        {
            return TRUNCATED_NDP;
        }
        // RFC 4861 §4.6: every option has a non-zero length and lies within the message
        int option = optionsStart;
        int sourceLinkLayer = -1;
        while (option < icmpLength)
        {
            if (option + 2 > icmpLength)
            {
                return TRUNCATED_NDP;
            }
            final int optionLength = (buffer.getByte(icmp + option + 1) & 0xFF) * Ndp.OPTION_UNIT;
            if (optionLength == 0 || option + optionLength > icmpLength)
            {
                return TRUNCATED_NDP;
            }
            if (sourceLinkLayer < 0 && optionLength == Ndp.LINK_LAYER_OPTION_LENGTH &&
                (buffer.getByte(icmp + option) & 0xFF) == Ndp.OPTION_SOURCE_LINK_LAYER)
            {
                sourceLinkLayer = icmp + option;
            }
            option += optionLength;
        }
        frame.icmpOffset = icmp;
        frame.icmpLength = icmpLength;
        frame.ndpType = type;
        frame.sourceLinkLayerOffset = sourceLinkLayer;
        if (type == Ndp.TYPE_NEIGHBOR_SOLICITATION || type == Ndp.TYPE_NEIGHBOR_ADVERTISEMENT)
        {
            frame.ndpTargetHi = buffer.getLong(icmp + Ndp.TARGET_OFFSET, ByteOrder.BIG_ENDIAN);
            frame.ndpTargetLo = buffer.getLong(icmp + Ndp.TARGET_OFFSET + 8, ByteOrder.BIG_ENDIAN);
        }
        return OK;
    }

    private static int parseArp(final DirectBuffer buffer, final int l3, final int visible, final ParsedFrame frame)
    {
        final int length = visible;
        if (l3 + Arp.SHA_OFFSET > length)
        {
            return TRUNCATED_ARP;
        }
        if ((buffer.getShort(l3 + Arp.HTYPE_OFFSET, ByteOrder.BIG_ENDIAN) & 0xFFFF) != Arp.HTYPE_ETHERNET ||
            (buffer.getShort(l3 + Arp.PTYPE_OFFSET, ByteOrder.BIG_ENDIAN) & 0xFFFF) != Ethernet.TYPE_IPV4 ||
            buffer.getByte(l3 + Arp.HLEN_OFFSET) != MacAddress.LENGTH || buffer.getByte(l3 + Arp.PLEN_OFFSET) != 4)
        {
            return OK;
        }
        if (l3 + Arp.LENGTH > length)
        {
            return TRUNCATED_ARP;
        }
        frame.kind = ParsedFrame.KIND_ARP;
        frame.arpOper = buffer.getShort(l3 + Arp.OPER_OFFSET, ByteOrder.BIG_ENDIAN) & 0xFFFF;
        frame.srcIpLo = IpAddressKey.v4Lo(buffer.getInt(l3 + Arp.SPA_OFFSET, ByteOrder.BIG_ENDIAN));
        frame.dstIpLo = IpAddressKey.v4Lo(buffer.getInt(l3 + Arp.TPA_OFFSET, ByteOrder.BIG_ENDIAN));
        return OK;
    }
}
