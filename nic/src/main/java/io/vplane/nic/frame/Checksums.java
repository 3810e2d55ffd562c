package io.vplane.nic.frame;

import org.agrona.DirectBuffer;

import java.nio.ByteOrder;

/**
 * Internet checksum arithmetic: full computation (RFC 1071) and incremental update after a field
 * changes (RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m')), used when a MAC address inside an NDP option
 * is rewritten so that the ICMPv6 checksum stays valid without summing the whole message again.
 */
public final class Checksums
{
    private Checksums()
    {
    }

    /**
     * Updates a checksum for a 6-octet field that starts at an even offset from the start of the
     * checksummed data and changed from {@code oldMac} to {@code newMac}.
     */
    public static int adjustForMac(final int checksum, final long oldMac, final long newMac)
    {
        long sum = ~checksum & 0xFFFF;
        for (int shift = 32; shift >= 0; shift -= 16)
        {
            sum += ~(oldMac >>> shift) & 0xFFFF;
            sum += (newMac >>> shift) & 0xFFFF;
        }
        return ~fold(sum) & 0xFFFF;
    }

    /** One's-complement sum of {@code length} octets, not yet folded or inverted. */
    public static long sum(final DirectBuffer buffer, final int offset, final int length)
    {
        long sum = 0;
        int i = 0;
        for (; i + 1 < length; i += 2)
        {
            sum += buffer.getShort(offset + i, ByteOrder.BIG_ENDIAN) & 0xFFFF;
        }
        if (i < length)
        {
            sum += (buffer.getByte(offset + i) & 0xFF) << 8;
        }
        return sum;
    }

    /**
     * ICMPv6 checksum over the IPv6 pseudo-header (RFC 8200 §8.1) and the message, with the
     * checksum field counted as zero.
     */
    public static int icmpv6(final DirectBuffer buffer, final int ipv6Offset, final int icmpOffset, final int icmpLength)
    {
        long sum = sum(buffer, ipv6Offset + Ipv6.SRC_OFFSET, 32);
        sum += icmpLength;
        sum += Ipv6.NEXT_HEADER_ICMPV6;
        sum += sum(buffer, icmpOffset, icmpLength);
        sum -= buffer.getShort(icmpOffset + Ndp.CHECKSUM_OFFSET, ByteOrder.BIG_ENDIAN) & 0xFFFF;
        return ~fold(sum) & 0xFFFF;
    }

    private static int fold(final long value)
    {
        long sum = value;
        while ((sum >>> 16) != 0)
        {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int)sum;
    }
}
