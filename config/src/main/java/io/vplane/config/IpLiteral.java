package io.vplane.config;

import java.net.InetAddress;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The one parser of IP address literals for every setting and request that holds one: dotted-quad
 * IPv4 or RFC 4291 IPv6 text, never a host name (no look-up). Addresses come out as 16 bytes,
 * IPv4 as its IPv4-mapped IPv6 form (RFC 4291 §2.5.5.2), so one value has one form whichever way
 * it was written.
 */
public final class IpLiteral
{
    /** Four decimal parts; InetAddress.ofLiteral then checks each is 0..255 (leading zeros are decimal, as before). */
    private static final Pattern DOTTED_QUAD = Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
    private static final Pattern IPV6_CHARS = Pattern.compile("[0-9A-Fa-f:.]+");

    private IpLiteral()
    {
    }

    /**
     * @return the address as 16 bytes
     * @throws IllegalArgumentException when the text is no IPv4 or IPv6 literal
     */
    public static byte[] parse(final String text)
    {
        final String literal = text.strip();
        final boolean v4 = DOTTED_QUAD.matcher(literal).matches();
        if (!v4 && !(literal.indexOf(':') >= 0 && IPV6_CHARS.matcher(literal).matches()))
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
        return toSixteen(address.getAddress());
    }

    /** @return whether {@link #parse} takes the text */
    public static boolean isLiteral(final String text)
    {
        return parses(IpLiteral::parse, text);
    }

    /** @return whether {@code parser} takes the text rather than throwing IllegalArgumentException */
    static boolean parses(final Function<String, ?> parser, final String text)
    {
        try
        {
            parser.apply(text);
            return true;
        }
        catch (final IllegalArgumentException ex)
        {
            return false;
        }
    }

    /** @param bytes 4 or 16 address bytes; IPv4 becomes IPv4-mapped IPv6 */
    public static byte[] toSixteen(final byte[] bytes)
    {
        if (bytes.length == 16)
        {
            return bytes.clone();
        }
        if (bytes.length != 4)
        {
            throw new IllegalArgumentException("an IP address has 4 or 16 bytes, not " + bytes.length);
        }
        final byte[] mapped = new byte[16];
        mapped[10] = (byte)0xFF;
        mapped[11] = (byte)0xFF;
        System.arraycopy(bytes, 0, mapped, 12, 4);
        return mapped;
    }

    /** Whether 16 address bytes are an IPv4-mapped IPv6 address. */
    public static boolean isV4Mapped(final byte[] sixteen)
    {
        for (int i = 0; i < 10; i++)
        {
            if (sixteen[i] != 0)
            {
                return false;
            }
        }
        return sixteen[10] == (byte)0xFF && sixteen[11] == (byte)0xFF;
    }
}
