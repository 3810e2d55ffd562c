package io.vplane.config;

import java.net.InetAddress;
import java.util.Arrays;

/**
 * An address range such as {@code 10.0.0.0/8}, {@code ::1/128} or {@code ::ffff:10.0.0.0/104}, held
 * as 16 bytes and a prefix of 0..128 (an IPv4 range as its IPv4-mapped form, prefix + 96): the same
 * range written either way is the same value, and any client address, IPv4 or IPv6, is matched the
 * same way. Config validation and the daemon both use this class, so what one accepts the other can use.
 */
public final class IpPrefix
{
    private static final int V4_MAPPED_BITS = 96;

    private final byte[] network;
    private final int prefixLength;

    private IpPrefix(final byte[] network, final int prefixLength)
    {
        this.network = network;
        this.prefixLength = prefixLength;
    }

    /**
     * @throws IllegalArgumentException when the text is not ADDRESS/PREFIX with a prefix that fits the address
     */
    public static IpPrefix parse(final String text)
    {
        final String range = text.strip();
        final int slash = range.indexOf('/');
        if (slash < 0 || !range.substring(slash + 1).matches("[0-9]{1,3}"))
        {
            throw new IllegalArgumentException("not a CIDR range: '" + text + "'; write e.g. 10.0.0.0/8 or ::1/128");
        }
        final String address = range.substring(0, slash);
        final byte[] network = IpLiteral.parse(address);
        final int written = Integer.parseInt(range.substring(slash + 1));
        final boolean writtenAsV4 = address.indexOf(':') < 0;
        final int maxBits = writtenAsV4 ? 32 : 128;
        if (written > maxBits)
        {
            throw new IllegalArgumentException("prefix /" + written + " is longer than the " + maxBits + " bits of " + address);
        }
        return new IpPrefix(network, writtenAsV4 ? written + V4_MAPPED_BITS : written);
    }

    /** @return whether {@link #parse} takes the text */
    public static boolean isPrefix(final String text)
    {
        return IpLiteral.parses(IpPrefix::parse, text);
    }

    public boolean contains(final InetAddress client)
    {
        return null != client && contains(IpLiteral.toSixteen(client.getAddress()));
    }

    /** @param sixteen an address as {@link IpLiteral#parse} gives it */
    public boolean contains(final byte[] sixteen)
    {
        final int whole = prefixLength / 8;
        for (int i = 0; i < whole; i++)
        {
            if (sixteen[i] != network[i])
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
        return (sixteen[whole] & mask) == (network[whole] & mask);
    }

    /** Prefix length over the 16-byte form (an IPv4 /8 is 104). */
    public int prefixLength()
    {
        return prefixLength;
    }

    @Override
    public boolean equals(final Object other)
    {
        return other instanceof final IpPrefix that && prefixLength == that.prefixLength && Arrays.equals(network, that.network);
    }

    @Override
    public int hashCode()
    {
        return 31 * Arrays.hashCode(network) + prefixLength;
    }

    @Override
    public String toString()
    {
        return Arrays.toString(network) + "/" + prefixLength;
    }
}
