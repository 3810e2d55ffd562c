package io.vplane.nic.uplink;

import io.vplane.engine.device.Device;
import io.vplane.engine.device.DeviceContext;
import io.vplane.engine.device.DeviceSpec;
import io.vplane.nic.port.GuestRxLenders;
import io.vplane.nic.vswitch.VswitchRegistry;

/** Opens the {@code devices.vxlan} uplinks of the config. */
public final class VxlanUplinkProvider extends UplinkProvider<VxlanUplinkConfig>
{
    public static final String KIND = "vxlan";

    public VxlanUplinkProvider(final VswitchRegistry switches, final GuestRxLenders lenders)
    {
        super(KIND, config -> config.section(VxlanUplinksConfig.class).uplinks(), VxlanUplinkConfig::name, switches, lenders);
    }

    @Override
    protected Device open(final DeviceSpec spec, final VxlanUplinkConfig settings, final DeviceContext context)
    {
        return new VxlanUplinkDevice(spec, settings, context, switches, lenders);
    }
}
