package io.vplane.config;

import java.util.List;

/**
 * Devices declared in the file. Each device kind adds its list here as it comes.
 *
 * @param loopback synthetic devices whose queues are fed by a built-in generator
 */
public record DevicesConfig(List<LoopbackDeviceConfig> loopback)
{
    public DevicesConfig
    {
        loopback = List.copyOf(loopback);
    }
}
