package io.vplane.engine.loopback;

import io.vplane.config.VplaneConfig;
import io.vplane.engine.device.Device;
import io.vplane.engine.device.DeviceContext;
import io.vplane.engine.device.DeviceProvider;
import io.vplane.engine.device.DeviceSpec;

import java.util.List;

/** Opens the {@code devices.loopback} entries of the config. */
public final class LoopbackDeviceProvider implements DeviceProvider
{
    public static final String KIND = "loopback";

    @Override
    public String kind()
    {
        return KIND;
    }

    @Override
    public List<DeviceSpec> declaredDevices(final VplaneConfig config)
    {
        return config.section(LoopbackDevicesConfig.class).devices().stream()
            .map(device -> new DeviceSpec(KIND, device.name(), device.type(), device))
            .toList();
    }

    @Override
    public Device open(final DeviceSpec spec, final DeviceContext context)
    {
        final LoopbackDeviceConfig settings = (LoopbackDeviceConfig)spec.settings();
        return new LoopbackDevice(spec, settings.queues(), settings.ratePerSec(), settings.requestCostNs(), context);
    }
}
