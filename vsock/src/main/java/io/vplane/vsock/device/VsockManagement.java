package io.vplane.vsock.device;

import io.vplane.engine.management.ManagementExtension;
import io.vplane.engine.management.ManagementRequest;

import java.util.List;
import java.util.NoSuchElementException;

/**
 * Management API route of the vsock devices (what {@code vplane ctl vsock list} shows):
 * <pre>
 * GET /vsock[/list]    every vsock device: sockets, guest CID, frontend connected, streams open
 * </pre>
 */
public final class VsockManagement implements ManagementExtension
{
    private final VsockRegistry registry;

    public VsockManagement(final VsockRegistry registry)
    {
        this.registry = registry;
    }

    /** One device as {@code /vsock} shows it. */
    public record DeviceView(String name, String socketPath, String udsPath, long guestCid, boolean connected, long streams)
    {
    }

    @Override
    public String prefix()
    {
        return "/vsock";
    }

    @Override
    public Object handle(final ManagementRequest request)
    {
        return switch (request.path())
        {
            case "/vsock", "/vsock/list" -> list();
            default -> throw new NoSuchElementException("no such resource: " + request.path() + " (vsock has GET /vsock/list)");
        };
    }

    private List<DeviceView> list()
    {
        return registry.devices().stream()
            .map(device -> new DeviceView(device.name(), device.settings().socketPath(), device.settings().udsPath(),
                device.settings().guestCid(), device.isConnected(), device.streams()))
            .toList();
    }
}
