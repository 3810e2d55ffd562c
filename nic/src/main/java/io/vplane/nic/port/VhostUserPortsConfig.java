package io.vplane.nic.port;

import java.util.List;

/**
 * The {@code devices.vhostUser} list of the config file.
 *
 * @param ports the declared ports, in file order
 */
public record VhostUserPortsConfig(List<VhostUserPortConfig> ports)
{
    public VhostUserPortsConfig
    {
        ports = List.copyOf(ports);
    }
}
