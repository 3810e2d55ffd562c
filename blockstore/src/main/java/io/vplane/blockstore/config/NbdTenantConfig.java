package io.vplane.blockstore.config;

import java.util.List;

/**
 * A tenant and the client address ranges allowed to reach its disks.
 *
 * @param name  unique tenant name
 * @param allow      CIDR ranges such as {@code 127.0.0.0/8} or {@code ::1/128}; empty allows nobody
 * @param requireTls its disks are only served over TLS (NBD_REP_ERR_TLS_REQD before STARTTLS)
 */
public record NbdTenantConfig(String name, List<String> allow, boolean requireTls)
{
    public NbdTenantConfig
    {
        allow = List.copyOf(allow);
    }
}
