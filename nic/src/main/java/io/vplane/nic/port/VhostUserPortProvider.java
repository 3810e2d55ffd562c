package io.vplane.nic.port;

import io.vplane.config.VplaneConfig;
import io.vplane.engine.confine.ConfinedDirectory;
import io.vplane.engine.device.Device;
import io.vplane.engine.device.DeviceContext;
import io.vplane.engine.device.DeviceSpec;
import io.vplane.engine.device.ListedDeviceProvider;
import io.vplane.engine.device.TuneDriver;
import io.vplane.nic.vswitch.VswitchRegistry;

import java.util.List;

/** Opens the {@code devices.vhostUser} ports of the config, each on the {@code net} pool. */
public final class VhostUserPortProvider extends ListedDeviceProvider<VhostUserPortConfig>
{
    public static final String KIND = "vhostUser";
    public static final String TYPE = "net";

    private final VswitchRegistry switches;
    private final GuestRxLenders lenders;

    /**
     * @param switches the running switches that ports with {@code guestTx: switch} join
     */
    public VhostUserPortProvider(final VswitchRegistry switches)
    {
        this(switches, null);
    }

    /**
     * @param switches the running switches that ports with {@code guestTx: switch} join
     * @param lenders  where switched ports lend their receive buffers to uplinks
     */
    public VhostUserPortProvider(final VswitchRegistry switches, final GuestRxLenders lenders)
    {
        super(KIND, TYPE, VhostUserPortConfig::name);
        this.switches = switches;
        this.lenders = lenders;
    }

    /** Each port's socket path is confined to the socket directory (relative paths resolve there). */
    @Override
    protected List<VhostUserPortConfig> entries(final VplaneConfig config)
    {
        final ConfinedDirectory sockets = ConfinedDirectory.sockets(config);
        return config.section(VhostUserPortsConfig.class).ports().stream()
            .map(port -> port.withSocketPath(sockets.resolve(port.socketPath()).toString()))
            .toList();
    }

    /** {@code vplane tune --type net}'s built-in load: a guest of its own on a temporary port. */
    @Override
    public TuneDriver tuneDriver()
    {
        return new PortTuneDriver();
    }

    @Override
    protected Device open(final DeviceSpec spec, final VhostUserPortConfig settings, final DeviceContext context)
    {
        return new VhostUserPort(spec, settings, context, switches, lenders);
    }
}
