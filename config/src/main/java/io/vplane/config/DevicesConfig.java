package io.vplane.config;

import java.util.List;

/**
 * Devices declared in the file. Each device kind adds its list here as it comes.
 *
 * @param loopback  synthetic devices whose queues are fed by a built-in generator
 * @param vhostUser vhost-user net ports
 */
public record DevicesConfig(List<LoopbackDeviceConfig> loopback, List<VhostUserPortConfig> vhostUser)
{
    public DevicesConfig
    {
        loopback = List.copyOf(loopback);
        vhostUser = List.copyOf(vhostUser);
    }

    public DevicesConfig(final List<LoopbackDeviceConfig> loopback)
    {
        this(loopback, List.of());
    }
}
