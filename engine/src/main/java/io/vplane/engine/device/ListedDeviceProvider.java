package io.vplane.engine.device;

import io.vplane.config.VplaneConfig;

import java.util.List;
import java.util.function.Function;

/**
 * A provider whose devices are the entries of a list in the config (vhost-user ports, vsock
 * devices, uplinks, a switch): one device of one type per entry, named by the entry, which is
 * also the device's settings.
 *
 * @param <C> one entry's settings
 */
public abstract class ListedDeviceProvider<C> implements DeviceProvider
{
    private final String kind;
    private final String type;
    private final Function<C, String> name;

    /**
     * @param kind the kind, as in the config's {@code devices} section
     * @param type the device type of every entry ({@code net}, {@code vsock}, ...)
     * @param name an entry's device name
     */
    protected ListedDeviceProvider(final String kind, final String type, final Function<C, String> name)
    {
        this.kind = kind;
        this.type = type;
        this.name = name;
    }

    @Override
    public final String kind()
    {
        return kind;
    }

    @Override
    public final List<DeviceSpec> declaredDevices(final VplaneConfig config)
    {
        return entries(config).stream().map(entry -> new DeviceSpec(kind, name.apply(entry), type, entry)).toList();
    }

    @Override
    @SuppressWarnings("unchecked")
    public final Device open(final DeviceSpec spec, final DeviceContext context)
    {
        return open(spec, (C)spec.settings(), context);
    }

    /** The entries {@code config} declares, as the devices get them (paths resolved, say). */
    protected abstract List<C> entries(VplaneConfig config);

    protected abstract Device open(DeviceSpec spec, C settings, DeviceContext context);
}
