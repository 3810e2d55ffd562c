package io.vplane.nic.vswitch;

import io.vplane.nic.frame.Arp;
import io.vplane.nic.frame.Checksums;
import io.vplane.nic.frame.Ethernet;
import io.vplane.nic.frame.Ipv6;
import io.vplane.nic.frame.MacAddress;
import io.vplane.nic.frame.Ndp;
import io.vplane.nic.frame.ParsedFrame;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * Turns an ARP request or a neighbour solicitation into the answer, in place, so the switch can
 * send it back to the asker without a buffer of its own. VLAN tags are kept.
 */
final class ProxyResponder
{
    /** NA with one target link-layer option (RFC 4861 §4.4). */
    static final int NA_LENGTH = Ndp.NS_NA_LENGTH + Ndp.LINK_LAYER_OPTION_LENGTH;

    private ProxyResponder()
    {
    }

    /** ARP reply (RFC 826): the target IP now has {@code answerMac}. Length unchanged. */
    static void arpReply(final MutableDirectBuffer buffer, final ParsedFrame frame, final long answerMac)
    {
        final int arp = frame.l3Offset();
        final long askerMac = MacAddress.read(buffer, arp + Arp.SHA_OFFSET);
        final int askerIp = buffer.getInt(arp + Arp.SPA_OFFSET, ByteOrder.BIG_ENDIAN);
        final int targetIp = buffer.getInt(arp + Arp.TPA_OFFSET, ByteOrder.BIG_ENDIAN);
        MacAddress.write(buffer, Ethernet.DST_OFFSET, frame.srcMac());
        MacAddress.write(buffer, Ethernet.SRC_OFFSET, answerMac);
        buffer.putShort(arp + Arp.OPER_OFFSET, (short)Arp.OPER_REPLY, ByteOrder.BIG_ENDIAN);
        MacAddress.write(buffer, arp + Arp.SHA_OFFSET, answerMac);
        buffer.putInt(arp + Arp.SPA_OFFSET, targetIp, ByteOrder.BIG_ENDIAN);
        MacAddress.write(buffer, arp + Arp.THA_OFFSET, askerMac);
        buffer.putInt(arp + Arp.TPA_OFFSET, askerIp, ByteOrder.BIG_ENDIAN);
    }

    /**
     * Whether an NS can be answered in place: it has a source link-layer option (so it is not a
     * duplicate address detection probe from ::, RFC 4862 §5.4.3) and is at least as long as the NA.
     */
    static boolean canAnswer(final ParsedFrame frame)
    {
        return frame.ndpType() == Ndp.TYPE_NEIGHBOR_SOLICITATION && frame.sourceLinkLayerOffset() >= 0 &&
            frame.icmpLength() >= NA_LENGTH;
    }

    /**
     * Solicited NA from the target to the asker (RFC 4861 §7.2.4) with {@code answerMac} as target
     * link-layer address.
     *
     * @return the new frame length
     */
    static int neighborAdvertisement(final MutableDirectBuffer buffer, final ParsedFrame frame, final long answerMac)
    {
        final int ip = frame.l3Offset();
        final int icmp = frame.icmpOffset();
        final long askerMac = MacAddress.read(buffer, frame.sourceLinkLayerOffset() + Ndp.OPTION_ADDRESS_OFFSET);
        // IPv6: source becomes the target address, destination the asker
        buffer.putBytes(ip + Ipv6.DST_OFFSET, buffer, ip + Ipv6.SRC_OFFSET, 16);
        buffer.putBytes(ip + Ipv6.SRC_OFFSET, buffer, icmp + Ndp.TARGET_OFFSET, 16);
        buffer.putShort(ip + Ipv6.PAYLOAD_LENGTH_OFFSET, (short)NA_LENGTH, ByteOrder.BIG_ENDIAN);
        buffer.putByte(ip + Ipv6.HOP_LIMIT_OFFSET, (byte)255);
        buffer.putByte(icmp + Ndp.TYPE_OFFSET, (byte)Ndp.TYPE_NEIGHBOR_ADVERTISEMENT);
        buffer.putByte(icmp + Ndp.CODE_OFFSET, (byte)0);
        buffer.putInt(icmp + Ndp.FLAGS_OFFSET, Ndp.NA_FLAG_SOLICITED | Ndp.NA_FLAG_OVERRIDE, ByteOrder.BIG_ENDIAN);
        final int option = icmp + Ndp.NS_NA_LENGTH;
        buffer.putByte(option, (byte)Ndp.OPTION_TARGET_LINK_LAYER);
        buffer.putByte(option + 1, (byte)1);
        MacAddress.write(buffer, option + Ndp.OPTION_ADDRESS_OFFSET, answerMac);
        buffer.putShort(icmp + Ndp.CHECKSUM_OFFSET, (short)Checksums.icmpv6(buffer, ip, icmp, NA_LENGTH), ByteOrder.BIG_ENDIAN);
        MacAddress.write(buffer, Ethernet.DST_OFFSET, askerMac);
        MacAddress.write(buffer, Ethernet.SRC_OFFSET, answerMac);
        return icmp + NA_LENGTH;
    }
}
