package io.vplane.vsock.device;

import io.vplane.config.VplaneConfig;
import io.vplane.engine.confine.ConfinedDirectory;
import io.vplane.engine.device.Device;
import io.vplane.engine.device.DeviceContext;
import io.vplane.engine.device.DeviceProvider;
import io.vplane.engine.device.DeviceSpec;
import io.vplane.vsock.config.VsockDeviceConfig;
import io.vplane.vsock.config.VsockDevicesConfig;
import io.vplane.vsock.config.VsockSection;

import java.util.List;

/** Opens the {@code devices.vsock} devices of the config, each on the {@code vsock} pool. */
public final class VsockDeviceProvider implements DeviceProvider
{
    public static final String KIND = VsockSection.KEY;
    public static final String TYPE = "vsock";

    private final VsockRegistry registry;

    /** @param registry where open devices are found by the {@code /vsock} routes */
    public VsockDeviceProvider(final VsockRegistry registry)
    {
        this.registry = registry;
    }

    @Override
    public String kind()
    {
        return KIND;
    }

    /** Both sockets of a device are confined to the socket directory (relative paths resolve there). */
    @Override
    public List<DeviceSpec> declaredDevices(final VplaneConfig config)
    {
        final ConfinedDirectory sockets = ConfinedDirectory.sockets(config);
        return config.section(VsockDevicesConfig.class).devices().stream()
            .map(device -> new DeviceSpec(KIND, device.name(), TYPE, device.withPaths(
                sockets.resolve(device.socketPath()).toString(), sockets.resolve(device.udsPath()).toString())))
            .toList();
    }

    @Override
    public Device open(final DeviceSpec spec, final DeviceContext context)
    {
        return registry.opened(new VsockDevice(spec, (VsockDeviceConfig)spec.settings(), context, registry));
    }
}
