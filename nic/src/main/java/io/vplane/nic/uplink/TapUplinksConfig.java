package io.vplane.nic.uplink;

import java.util.List;

/**
 * The {@code devices.tap} list of the config file.
 *
 * @param uplinks the declared TAP uplinks, in file order
 */
public record TapUplinksConfig(List<TapUplinkConfig> uplinks)
{
    public TapUplinksConfig
    {
        uplinks = List.copyOf(uplinks);
    }
}
