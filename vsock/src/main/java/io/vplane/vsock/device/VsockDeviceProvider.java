package io.vplane.vsock.device;

import io.vplane.config.VplaneConfig;
import io.vplane.engine.confine.ConfinedDirectory;
import io.vplane.engine.device.Device;
import io.vplane.engine.device.DeviceContext;
import io.vplane.engine.device.DeviceSpec;
import io.vplane.engine.device.ListedDeviceProvider;
import io.vplane.vsock.config.VsockDeviceConfig;
import io.vplane.vsock.config.VsockDevicesConfig;
import io.vplane.vsock.config.VsockSection;

import java.util.List;

/** Opens the {@code devices.vsock} devices of the config, each on the {@code vsock} pool. */
public final class VsockDeviceProvider extends ListedDeviceProvider<VsockDeviceConfig>
{
    public static final String KIND = VsockSection.KEY;
    public static final String TYPE = "vsock";

    private final VsockRegistry registry;

    /** @param registry where open devices are found by the {@code /vsock} routes */
    public VsockDeviceProvider(final VsockRegistry registry)
    {
        super(KIND, TYPE, VsockDeviceConfig::name);
        this.registry = registry;
    }

    /** Both sockets of a device are confined to the socket directory (relative paths resolve there). */
    @Override
    protected List<VsockDeviceConfig> entries(final VplaneConfig config)
    {
        final ConfinedDirectory sockets = ConfinedDirectory.sockets(config);
        return config.section(VsockDevicesConfig.class).devices().stream()
            .map(device -> device.withPaths(sockets.resolve(device.socketPath()).toString(), sockets.resolve(device.udsPath()).toString()))
            .toList();
    }

    @Override
    protected Device open(final DeviceSpec spec, final VsockDeviceConfig settings, final DeviceContext context)
    {
        return registry.opened(new VsockDevice(spec, settings, context, registry));
    }
}
