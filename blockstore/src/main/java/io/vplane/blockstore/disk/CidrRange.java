package io.vplane.blockstore.disk;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/** An address range such as {@code 10.0.0.0/8} or {@code ::1/128}; IPv4-mapped IPv6 clients match IPv4 ranges. */
public record CidrRange(byte[] network, int prefixLength)
{
    public static CidrRange parse(final String text)
    {
        final int slash = text.indexOf('/');
        if (slash < 0)
        {
            throw new IllegalArgumentException("not a CIDR range: " + text);
        }
        final String address = text.substring(0, slash).strip();
        if (!address.contains(":") && !address.matches("[0-9.]+"))
        {
            // Keep InetAddress from doing a name lookup.
            throw new IllegalArgumentException("not a CIDR range: " + text);
        }
        try
        {
            final byte[] bytes = InetAddress.getByName(address).getAddress();
            final int prefix = Integer.parseInt(text.substring(slash + 1).strip());
            if (prefix < 0 || prefix > bytes.length * 8)
            {
                throw new IllegalArgumentException("prefix out of range in " + text);
            }
            return new CidrRange(bytes, prefix);
        }
        catch (final UnknownHostException | NumberFormatException ex)
        {
            throw new IllegalArgumentException("not a CIDR range: " + text, ex);
        }
    }

    public boolean contains(final InetAddress client)
    {
        if (null == client)
        {
            return false;
        }
        byte[] bytes = client.getAddress();
        if (bytes.length == 16 && network.length == 4 && isV4Mapped(bytes))
        {
            bytes = Arrays.copyOfRange(bytes, 12, 16);
        }
        if (bytes.length != network.length)
        {
            return false;
        }
        final int whole = prefixLength / 8;
        for (int i = 0; i < whole; i++)
        {
            if (bytes[i] != network[i])
            {
                return false;
            }
        }
        final int rest = prefixLength % 8;
        if (rest == 0)
        {
            return true;
        }
        final int mask = (0xFF << (8 - rest)) & 0xFF;
        return (bytes[whole] & mask) == (network[whole] & mask);
    }

    private static boolean isV4Mapped(final byte[] bytes)
    {
        for (int i = 0; i < 10; i++)
        {
            if (bytes[i] != 0)
            {
                return false;
            }
        }
        return bytes[10] == (byte)0xFF && bytes[11] == (byte)0xFF;
    }
}
