package io.vplane.nic.uplink;

import io.vplane.config.VplaneConfig;
import io.vplane.engine.device.ListedDeviceProvider;
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
public abstract class UplinkProvider<C> extends ListedDeviceProvider<C>
{
    public static final String TYPE = "net";

    private final Function<VplaneConfig, List<C>> declared;
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
        super(kind, TYPE, name);
        this.declared = declared;
        this.switches = switches;
        this.lenders = lenders;
    }

    @Override
    protected final List<C> entries(final VplaneConfig config)
    {
        return declared.apply(config);
    }
}
