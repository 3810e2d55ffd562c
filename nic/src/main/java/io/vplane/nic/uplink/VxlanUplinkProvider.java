package io.vplane.nic.uplink;

import io.vplane.config.VplaneConfig;
import io.vplane.engine.device.Device;
import io.vplane.engine.device.DeviceContext;
import io.vplane.engine.device.DeviceProvider;
import io.vplane.engine.device.DeviceSpec;
import io.vplane.nic.port.GuestRxLenders;
import io.vplane.nic.vswitch.VswitchRegistry;

import java.util.List;

/** Opens the {@code devices.vxlan} uplinks of the config; their VNI ports join the switch and run on its worker. */
public final class VxlanUplinkProvider implements DeviceProvider
{
    public static final String KIND = "vxlan";
    public static final String TYPE = "net";

    private final VswitchRegistry switches;
    private final GuestRxLenders lenders;

    /**
     * @param switches the running switches the uplinks join
     * @param lenders  the VM ports whose receive buffers the uplinks read into
     */
    public VxlanUplinkProvider(final VswitchRegistry switches, final GuestRxLenders lenders)
    {
        this.switches = switches;
        this.lenders = lenders;
    }

    @Override
    public String kind()
    {
        return KIND;
    }

    @Override
    public List<DeviceSpec> declaredDevices(final VplaneConfig config)
    {
        return config.section(VxlanUplinksConfig.class).uplinks().stream()
            .map(uplink -> new DeviceSpec(KIND, uplink.name(), TYPE, uplink))
            .toList();
    }

    @Override
    public Device open(final DeviceSpec spec, final DeviceContext context)
    {
        return new VxlanUplinkDevice(spec, (VxlanUplinkConfig)spec.settings(), context, switches, lenders);
    }
}
