package io.vplane.blockstore.disk;

import java.net.InetAddress;
import java.util.List;

/** A tenant: owner of disks, with the client address ranges allowed to reach them and whether TLS is required. */
public record Tenant(String name, List<CidrRange> allow, boolean requireTls)
{
    public Tenant
    {
        allow = List.copyOf(allow);
    }

    public static Tenant of(final String name, final List<String> cidrs, final boolean requireTls)
    {
        return new Tenant(name, cidrs.stream().map(CidrRange::parse).toList(), requireTls);
    }

    public boolean allows(final InetAddress client)
    {
        for (final CidrRange range : allow)
        {
            if (range.contains(client))
            {
                return true;
            }
        }
        return false;
    }
}
