package io.vplane.engine.loopback;

import java.util.List;

/**
 * The {@code devices.loopback} list of the config file.
 *
 * @param devices the declared loopback devices, in file order
 */
public record LoopbackDevicesConfig(List<LoopbackDeviceConfig> devices)
{
    public LoopbackDevicesConfig
    {
        devices = List.copyOf(devices);
    }
}
