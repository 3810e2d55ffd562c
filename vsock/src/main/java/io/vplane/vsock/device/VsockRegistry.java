package io.vplane.vsock.device;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** The vsock devices open now, by name: what the management routes and the control channel reach. */
public final class VsockRegistry
{
    private final ConcurrentHashMap<String, VsockDevice> devices = new ConcurrentHashMap<>();

    VsockDevice opened(final VsockDevice device)
    {
        devices.put(device.name(), device);
        return device;
    }

    void closed(final VsockDevice device)
    {
        devices.remove(device.name(), device);
    }

    public Optional<VsockDevice> device(final String name)
    {
        return Optional.ofNullable(devices.get(name));
    }

    /** Sorted by name. */
    public List<VsockDevice> devices()
    {
        final List<VsockDevice> list = new ArrayList<>(devices.values());
        list.sort(Comparator.comparing(VsockDevice::name));
        return list;
    }
}
