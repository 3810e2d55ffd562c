package io.vplane.vsock;

import io.vplane.config.ConfigSection;
import io.vplane.engine.device.DeviceKind;
import io.vplane.engine.device.DeviceProvider;
import io.vplane.engine.management.ManagementExtension;
import io.vplane.vsock.config.VsockSection;
import io.vplane.vsock.device.VsockDeviceProvider;
import io.vplane.vsock.device.VsockManagement;
import io.vplane.vsock.device.VsockRegistry;
import io.vplane.vsock.device.VsockCommand;

import java.util.List;

/**
 * The vsock device kind: vhost-user-vsock devices ({@code devices.vsock}) on the {@code vsock}
 * pool, with {@code ctl vsock} and the {@code /vsock} routes.
 */
public final class VsockDeviceKind implements DeviceKind
{
    private final VsockRegistry registry = new VsockRegistry();

    @Override
    public String name()
    {
        return "vsock";
    }

    public VsockRegistry registry()
    {
        return registry;
    }

    @Override
    public List<ConfigSection<?>> configSections()
    {
        return List.of(new VsockSection());
    }

    @Override
    public List<DeviceProvider> deviceProviders()
    {
        return List.of(new VsockDeviceProvider(registry));
    }

    @Override
    public List<ManagementExtension> managementExtensions()
    {
        return List.of(new VsockManagement(registry));
    }

    @Override
    public List<Object> ctlCommands()
    {
        return List.of(new VsockCommand());
    }
}
