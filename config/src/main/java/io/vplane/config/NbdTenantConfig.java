package io.vplane.config;

import java.util.List;

/**
 * A tenant and the client address ranges allowed to reach its disks.
 *
 * @param name  unique tenant name
 * @param allow CIDR ranges such as {@code 127.0.0.0/8} or {@code ::1/128}; empty allows nobody
 */
public record NbdTenantConfig(String name, List<String> allow)
{
    public NbdTenantConfig
    {
        allow = List.copyOf(allow);
    }
}
