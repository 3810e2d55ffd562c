package io.vplane.nic.uplink;

import io.vplane.config.VplaneConfig;
import io.vplane.engine.device.Device;
import io.vplane.engine.device.DeviceContext;
import io.vplane.engine.device.DeviceProvider;
import io.vplane.engine.device.DeviceSpec;
import io.vplane.nic.port.GuestRxLenders;
import io.vplane.nic.vswitch.VswitchRegistry;

import java.util.List;
import java.util.function.Function;

/**
 * Opens the uplinks of one {@code devices} list (TAP, VXLAN) as devices of type {@code net}; each
 * joins its switch and runs on the switch's worker, reading into the buffers of the VM ports it serves.
 *
 * @param <C> one uplink's settings
 */
public abstract class UplinkProvider<C> implements DeviceProvider
{
    public static final String TYPE = "net";

    private final String kind;
    private final Function<VplaneConfig, List<C>> declared;
    private final Function<C, String> name;
    protected final VswitchRegistry switches;
    protected final GuestRxLenders lenders;

    /**
     * @param declared the uplinks the config declares
     * @param switches the running switches the uplinks join
     * @param lenders  the VM ports whose receive buffers the uplinks read into
     */
    protected UplinkProvider(final String kind, final Function<VplaneConfig, List<C>> declared, final Function<C, String> name,
        final VswitchRegistry switches, final GuestRxLenders lenders)
    {
        this.kind = kind;
        this.declared = declared;
        this.name = name;
        this.switches = switches;
        this.lenders = lenders;
    }

    @Override
    public final String kind()
    {
        return kind;
    }

    @Override
    public final List<DeviceSpec> declaredDevices(final VplaneConfig config)
    {
        return declared.apply(config).stream().map(uplink -> new DeviceSpec(kind, name.apply(uplink), TYPE, uplink)).toList();
    }

    @Override
    @SuppressWarnings("unchecked")
    public final Device open(final DeviceSpec spec, final DeviceContext context)
    {
        return open(spec, (C)spec.settings(), context);
    }

    protected abstract Device open(DeviceSpec spec, C settings, DeviceContext context);
}
