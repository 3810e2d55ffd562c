package io.vplane.nic.uplink;

import io.vplane.engine.device.Device;
import io.vplane.engine.device.DeviceContext;
import io.vplane.engine.device.DeviceSpec;
import io.vplane.nic.port.GuestRxLenders;
import io.vplane.nic.vswitch.VswitchRegistry;

/** Opens the {@code devices.tap} uplinks of the config. */
public final class TapUplinkProvider extends UplinkProvider<TapUplinkConfig>
{
    public static final String KIND = "tap";

    public TapUplinkProvider(final VswitchRegistry switches, final GuestRxLenders lenders)
    {
        super(KIND, config -> config.section(TapUplinksConfig.class).uplinks(), TapUplinkConfig::name, switches, lenders);
    }

    @Override
    protected Device open(final DeviceSpec spec, final TapUplinkConfig settings, final DeviceContext context)
    {
        return new TapUplinkDevice(spec, settings, context, switches, lenders);
    }
}
