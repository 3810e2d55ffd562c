package io.vplane.nic.port;

import io.vplane.config.VplaneConfig;
import io.vplane.engine.confine.ConfinedDirectory;
import io.vplane.engine.device.Device;
import io.vplane.engine.device.DeviceContext;
import io.vplane.engine.device.DeviceProvider;
import io.vplane.engine.device.DeviceSpec;
import io.vplane.engine.device.TuneDriver;
import io.vplane.nic.vswitch.VswitchRegistry;

import java.util.List;

/** Opens the {@code devices.vhostUser} ports of the config, each on the {@code net} pool. */
public final class VhostUserPortProvider implements DeviceProvider
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
        this.switches = switches;
        this.lenders = lenders;
    }

    @Override
    public String kind()
    {
        return KIND;
    }

    /** Each port's socket path is confined to the socket directory (relative paths resolve there). */
    @Override
    public List<DeviceSpec> declaredDevices(final VplaneConfig config)
    {
        final ConfinedDirectory sockets = ConfinedDirectory.sockets(config);
        return config.section(VhostUserPortsConfig.class).ports().stream()
            .map(port -> new DeviceSpec(KIND, port.name(), TYPE, confined(port, sockets)))
            .toList();
    }

    private static VhostUserPortConfig confined(final VhostUserPortConfig port, final ConfinedDirectory sockets)
    {
        final String path = sockets.resolve(port.socketPath()).toString();
        return port.withSocketPath(path);
    }

    /** {@code vplane tune --type net}'s built-in load: a guest of its own on a temporary port. */
    @Override
    public TuneDriver tuneDriver()
    {
        return new PortTuneDriver();
    }

    @Override
    public Device open(final DeviceSpec spec, final DeviceContext context)
    {
        return new VhostUserPort(spec, (VhostUserPortConfig)spec.settings(), context, switches, lenders);
    }
}
