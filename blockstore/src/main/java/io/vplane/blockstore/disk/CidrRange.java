package io.vplane.blockstore.disk;

import io.vplane.config.IpPrefix;

import java.net.InetAddress;

/**
 * An address range such as {@code 10.0.0.0/8} or {@code ::1/128}; IPv4-mapped IPv6 clients match IPv4
 * ranges. Parsed by {@link IpPrefix}, the parser config validation uses, so every range the config
 * accepts works here.
 */
public record CidrRange(IpPrefix prefix)
{
    public static CidrRange parse(final String text)
    {
        return new CidrRange(IpPrefix.parse(text));
    }

    public boolean contains(final InetAddress client)
    {
        return prefix.contains(client);
    }
}
