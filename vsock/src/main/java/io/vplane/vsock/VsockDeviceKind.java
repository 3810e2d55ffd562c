package io.vplane.vsock;

import io.vplane.config.ConfigSection;
import io.vplane.engine.device.DeviceKind;
import io.vplane.engine.device.DeviceProvider;
import io.vplane.engine.management.ManagementExtension;
import io.vplane.vsock.config.ControlSection;
import io.vplane.vsock.config.VsockSection;
import io.vplane.vsock.device.ContainerCommand;
import io.vplane.vsock.device.ContainerManagement;
import io.vplane.vsock.device.ControlDeviceProvider;
import io.vplane.vsock.device.ControlRegistry;
import io.vplane.vsock.device.VsockDeviceProvider;
import io.vplane.vsock.device.VsockManagement;
import io.vplane.vsock.device.VsockRegistry;
import io.vplane.vsock.device.VsockCommand;

import java.util.List;

/**
 * The vsock device kind: vhost-user-vsock devices ({@code devices.vsock}) on the {@code vsock}
 * pool, with {@code ctl vsock} and the {@code /vsock} routes; and the control channel to the VMs'
 * agents ({@code control}), with {@code ctl container} and the {@code /container} routes.
 */
public final class VsockDeviceKind implements DeviceKind
{
    private final VsockRegistry registry = new VsockRegistry();
    private final ControlRegistry control = new ControlRegistry();

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
        return List.of(new VsockSection(), new ControlSection());
    }

    @Override
    public List<DeviceProvider> deviceProviders()
    {
        return List.of(new VsockDeviceProvider(registry), new ControlDeviceProvider(control));
    }

    @Override
    public List<ManagementExtension> managementExtensions()
    {
        return List.of(new VsockManagement(registry), new ContainerManagement(control));
    }

    @Override
    public List<Object> ctlCommands()
    {
        return List.of(new VsockCommand(), new ContainerCommand());
    }
}
