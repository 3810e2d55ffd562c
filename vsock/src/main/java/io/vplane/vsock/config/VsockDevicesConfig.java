package io.vplane.vsock.config;

import java.util.List;

/**
 * The {@code devices.vsock} list of the config file.
 *
 * @param devices the declared devices, in file order
 */
public record VsockDevicesConfig(List<VsockDeviceConfig> devices)
{
    public VsockDevicesConfig
    {
        devices = List.copyOf(devices);
    }
}
