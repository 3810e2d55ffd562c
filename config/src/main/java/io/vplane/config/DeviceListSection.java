package io.vplane.config;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * A device list under {@code devices} ({@link Place#DEVICES}): empty by default, each entry read by
 * {@link #device}, its name claimed among all devices, and every device live on reload (added,
 * removed or reopened, compared by name).
 *
 * @param <T> the validated record holding the list
 * @param <D> one device of the list
 */
public abstract class DeviceListSection<T, D> extends KeyedSection<T>
{
    private final Function<List<D>, T> wrap;
    private final Function<T, List<D>> devices;
    private final Function<D, String> name;
    private final Function<D, String> describe;

    /**
     * @param wrap     the section record holding a list of devices
     * @param devices  the list a section record holds
     * @param name     a device's name, unique among all devices
     * @param describe how a device appears in a change: every setting but its name, which is in the path
     */
    protected DeviceListSection(
        final String key,
        final Class<T> type,
        final Function<List<D>, T> wrap,
        final Function<T, List<D>> devices,
        final Function<D, String> name,
        final Function<D, String> describe)
    {
        super(key, Place.DEVICES, type);
        this.wrap = wrap;
        this.devices = devices;
        this.name = name;
        this.describe = describe;
    }

    /**
     * Reads one entry of the list, reporting every problem through {@code item}.
     *
     * @return the device, or null when it cannot be named or opened (other errors fall back to defaults)
     */
    protected abstract D device(SectionReader item, BindContext context);

    @Override
    public final T defaults()
    {
        return wrap.apply(List.of());
    }

    @Override
    public final T bind(final SectionReader parent, final BindContext context)
    {
        final List<D> list = new ArrayList<>();
        for (final SectionReader item : parent.list(key()))
        {
            final D device = device(item, context);
            if (null != device && context.claimDeviceName(item, path(), name.apply(device)))
            {
                list.add(device);
            }
        }
        return wrap.apply(list);
    }

    @Override
    public final void diff(final T running, final T next, final ConfigDiff diff)
    {
        diff.named(path() + ".", devices.apply(running), devices.apply(next), name, describe);
    }
}
