package io.vplane.nic.frame;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * IPv4 and IPv6 addresses as one 128-bit key in two {@code long}s, so both families share one table:
 * an IPv6 address is its 16 octets big-endian; an IPv4 address is its IPv4-mapped IPv6 form
 * {@code ::ffff:a.b.c.d} (RFC 4291 §2.5.5.2), which no real IPv6 frame on the wire carries.
 */
public final class IpAddressKey
{
    /** {@code lo} word of an IPv4-mapped address without the IPv4 bits. */
    public static final long V4_MAPPED_PREFIX = 0x0000_FFFF_0000_0000L;

    private IpAddressKey()
    {
    }

    public static long v4Lo(final int ipv4)
    {
        return V4_MAPPED_PREFIX | (ipv4 & 0xFFFF_FFFFL);
    }

    public static boolean isV4(final long hi, final long lo)
    {
        return hi == 0 && (lo & 0xFFFF_FFFF_0000_0000L) == V4_MAPPED_PREFIX;
    }

    /**
     * Parses a literal address (no host name look-up).
     *
     * @return {@code {hi, lo}}
     */
    public static long[] parse(final String text)
    {
        final String literal = text.trim();
        if (literal.isEmpty() || !(literal.indexOf(':') >= 0 || literal.matches("[0-9.]+")))
        {
            throw new IllegalArgumentException("not an IPv4 or IPv6 address literal: '" + text + "'");
        }
        final InetAddress address;
        try
        {
            address = InetAddress.ofLiteral(literal);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException("not an IPv4 or IPv6 address literal: '" + text + "'");
        }
        final byte[] bytes = address.getAddress();
        if (address instanceof Inet4Address)
        {
            return new long[] {0, v4Lo(toInt(bytes, 0))};
        }
        return new long[] {toLong(bytes, 0), toLong(bytes, 8)};
    }

    public static String toString(final long hi, final long lo)
    {
        final byte[] bytes = new byte[16];
        for (int i = 0; i < 8; i++)
        {
            bytes[i] = (byte)(hi >>> (56 - 8 * i));
            bytes[8 + i] = (byte)(lo >>> (56 - 8 * i));
        }
        try
        {
            if (isV4(hi, lo))
            {
                return InetAddress.getByAddress(java.util.Arrays.copyOfRange(bytes, 12, 16)).getHostAddress();
            }
            return Inet6Address.getByAddress(null, bytes, null).getHostAddress();
        }
        catch (final UnknownHostException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    private static int toInt(final byte[] bytes, final int offset)
    {
        return ((bytes[offset] & 0xFF) << 24) | ((bytes[offset + 1] & 0xFF) << 16) |
            ((bytes[offset + 2] & 0xFF) << 8) | (bytes[offset + 3] & 0xFF);
    }

    private static long toLong(final byte[] bytes, final int offset)
    {
        return ((toInt(bytes, offset) & 0xFFFF_FFFFL) << 32) | (toInt(bytes, offset + 4) & 0xFFFF_FFFFL);
    }
}
