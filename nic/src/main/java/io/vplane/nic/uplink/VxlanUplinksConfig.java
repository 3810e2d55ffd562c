package io.vplane.nic.uplink;

import java.util.List;

/**
 * The {@code devices.vxlan} list of the config file.
 *
 * @param uplinks the declared VXLAN uplinks, in file order
 */
public record VxlanUplinksConfig(List<VxlanUplinkConfig> uplinks)
{
    public VxlanUplinksConfig
    {
        uplinks = List.copyOf(uplinks);
    }
}
