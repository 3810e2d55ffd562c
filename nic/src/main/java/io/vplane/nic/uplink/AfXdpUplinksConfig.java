package io.vplane.nic.uplink;

import java.util.List;

/**
 * The {@code devices.afXdp} list of the config file.
 *
 * @param uplinks the declared AF_XDP uplinks, in file order
 */
public record AfXdpUplinksConfig(List<AfXdpUplinkConfig> uplinks)
{
    public AfXdpUplinksConfig
    {
        uplinks = List.copyOf(uplinks);
    }
}
