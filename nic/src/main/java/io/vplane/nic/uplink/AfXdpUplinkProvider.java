package io.vplane.nic.uplink;

import io.vplane.engine.device.Device;
import io.vplane.engine.device.DeviceContext;
import io.vplane.engine.device.DeviceSpec;
import io.vplane.nic.port.GuestRxLenders;
import io.vplane.nic.vswitch.VswitchRegistry;

/** Opens the {@code devices.afXdp} uplinks of the config. */
public final class AfXdpUplinkProvider extends UplinkProvider<AfXdpUplinkConfig>
{
    public static final String KIND = "afXdp";

    public AfXdpUplinkProvider(final VswitchRegistry switches, final GuestRxLenders lenders)
    {
        super(KIND, config -> config.section(AfXdpUplinksConfig.class).uplinks(), AfXdpUplinkConfig::name, switches, lenders);
    }

    @Override
    protected Device open(final DeviceSpec spec, final AfXdpUplinkConfig settings, final DeviceContext context)
    {
        return AfXdpUplinkDevice.open(spec, settings, context, switches, lenders);
    }
}
