package io.vplane.nic.frame;

import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * Replaces one MAC address by another in an Ethernet header and, so that neighbours learn the same
 * address the Ethernet header shows, in the hardware-address fields of ARP (sender and target) and
 * in NDP link-layer address options (RFC 4861 §4.6.1), keeping the ICMPv6 checksum valid.
 */
public final class LinkLayerRewriter
{
    private LinkLayerRewriter()
    {
    }

    /**
     * Rewrites the Ethernet source (or destination) from {@code oldMac} to {@code newMac}, and every ARP
     * or NDP hardware address equal to {@code oldMac}.
     *
     * @return how many ARP/NDP address fields were rewritten
     */
    public static int rewrite(
        final MutableDirectBuffer buffer, final ParsedFrame frame, final boolean source, final long oldMac, final long newMac)
    {
        MacAddress.write(buffer, source ? Ethernet.SRC_OFFSET : Ethernet.DST_OFFSET, newMac);
        if (frame.kind == ParsedFrame.KIND_ARP)
        {
            return rewriteArp(buffer, frame.l3Offset, oldMac, newMac);
        }
        if (frame.icmpOffset >= 0)
        {
            return rewriteNdpOptions(buffer, frame, oldMac, newMac);
        }
        return 0;
    }

    private static int rewriteArp(final MutableDirectBuffer buffer, final int arp, final long oldMac, final long newMac)
    {
        int rewritten = 0;
        if (MacAddress.read(buffer, arp + Arp.SHA_OFFSET) == oldMac)
        {
            MacAddress.write(buffer, arp + Arp.SHA_OFFSET, newMac);
            rewritten++;
        }
        if (MacAddress.read(buffer, arp + Arp.THA_OFFSET) == oldMac)
        {
            MacAddress.write(buffer, arp + Arp.THA_OFFSET, newMac);
            rewritten++;
        }
        return rewritten;
    }

    private static int rewriteNdpOptions(
        final MutableDirectBuffer buffer, final ParsedFrame frame, final long oldMac, final long newMac)
    {
        final int icmp = frame.icmpOffset;
        final int end = frame.icmpLength;
        int rewritten = 0;
        int checksum = buffer.getShort(icmp + Ndp.CHECKSUM_OFFSET, ByteOrder.BIG_ENDIAN) & 0xFFFF;
        // options were validated by the parser: non-zero lengths, all inside the message
        for (int option = Ndp.optionsOffset(frame.ndpType); option < end; )
        {
            final int type = buffer.getByte(icmp + option) & 0xFF;
            final int length = (buffer.getByte(icmp + option + 1) & 0xFF) * Ndp.OPTION_UNIT;
            if (length == Ndp.LINK_LAYER_OPTION_LENGTH &&
                (type == Ndp.OPTION_SOURCE_LINK_LAYER || type == Ndp.OPTION_TARGET_LINK_LAYER))
            {
                final int address = icmp + option + Ndp.OPTION_ADDRESS_OFFSET;
                if (MacAddress.read(buffer, address) == oldMac)
                {
                    MacAddress.write(buffer, address, newMac);
                    // the address starts at an even offset of the message: RFC 1624 applies word-wise
                    checksum = Checksums.adjustForMac(checksum, oldMac, newMac);
                    rewritten++;
                }
            }
            if (length == 0)
            {
                break;
            }
            option += length;
        }
        if (rewritten > 0)
        {
            buffer.putShort(icmp + Ndp.CHECKSUM_OFFSET, (short)checksum, ByteOrder.BIG_ENDIAN);
        }
        return rewritten;
    }
}
