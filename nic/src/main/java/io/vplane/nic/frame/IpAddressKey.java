package io.vplane.nic.frame;

import io.vplane.config.IpLiteral;

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
        // The config validates entries with the same parser, so every entry it accepts is a key here.
        // IpLiteral gives IPv4 in its IPv4-mapped form, the form of this key.
        final byte[] bytes = IpLiteral.parse(text);
        return new long[] {toLong(bytes, 0), toLong(bytes, 8)};
    }

    /** IPv4 dotted, IPv6 in the RFC 5952 §4 text form (lower case, longest zero run as "::"). */
    public static String toString(final long hi, final long lo)
    {
        if (isV4(hi, lo))
        {
            return ((lo >>> 24) & 0xFF) + "." + ((lo >>> 16) & 0xFF) + "." + ((lo >>> 8) & 0xFF) + "." + (lo & 0xFF);
        }
        final int[] groups = new int[8];
        for (int i = 0; i < 4; i++)
        {
            groups[i] = (int)(hi >>> (48 - 16 * i)) & 0xFFFF;
            groups[4 + i] = (int)(lo >>> (48 - 16 * i)) & 0xFFFF;
        }
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; )
        {
            int j = i;
            while (j < 8 && groups[j] == 0)
            {
                j++;
            }
            if (j - i > bestLength)
            {
                bestStart = i;
                bestLength = j - i;
            }
            i = j == i ? i + 1 : j;
        }
        final StringBuilder text = new StringBuilder(39);
        for (int i = 0; i < 8; i++)
        {
            if (i == bestStart)
            {
                text.append("::");
                i += bestLength - 1;
                continue;
            }
            if (text.length() > 0 && text.charAt(text.length() - 1) != ':')
            {
                text.append(':');
            }
            text.append(Integer.toHexString(groups[i]));
        }
        return text.toString();
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
