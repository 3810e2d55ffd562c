package io.vplane.engine.loopback;

import io.vplane.config.BindContext;
import io.vplane.config.ConfigDiff;
import io.vplane.config.ConfigSection;
import io.vplane.config.SectionReader;

import java.util.ArrayList;
import java.util.List;

/** Reads the {@code devices.loopback} list: every device applies live (added, removed or reopened). */
public final class LoopbackSection implements ConfigSection<LoopbackDevicesConfig>
{
    public static final String TYPE = "net";
    public static final int QUEUES = 4;
    public static final long RATE_PER_SEC = 10_000;

    @Override
    public String key()
    {
        return LoopbackDeviceProvider.KIND;
    }

    @Override
    public Place place()
    {
        return Place.DEVICES;
    }

    @Override
    public Class<LoopbackDevicesConfig> type()
    {
        return LoopbackDevicesConfig.class;
    }

    @Override
    public LoopbackDevicesConfig defaults()
    {
        return new LoopbackDevicesConfig(List.of());
    }

    @Override
    public LoopbackDevicesConfig bind(final SectionReader parent, final BindContext context)
    {
        final List<LoopbackDeviceConfig> devices = new ArrayList<>();
        for (final SectionReader item : parent.list(key()))
        {
            final LoopbackDeviceConfig device = device(item, context);
            if (null != device && context.claimDeviceName(item, path(), device.name()))
            {
                devices.add(device);
            }
        }
        return new LoopbackDevicesConfig(devices);
    }

    @Override
    public void diff(final LoopbackDevicesConfig running, final LoopbackDevicesConfig next, final ConfigDiff diff)
    {
        diff.named(path() + ".", running.devices(), next.devices(), LoopbackDeviceConfig::name, LoopbackSection::describe);
    }

    /** How a device appears in a change: every setting but its name, which is in the path. */
    public static String describe(final LoopbackDeviceConfig device)
    {
        return "type=" + device.type() + " queues=" + device.queues() + " ratePerSec=" + device.ratePerSec();
    }

    /**
     * @return the device, or null when its name is missing or bad (other errors fall back to defaults)
     */
    private static LoopbackDeviceConfig device(final SectionReader item, final BindContext context)
    {
        final String name = item.requiredName("name", "device");
        final String type = item.string("type", TYPE);
        if (!context.poolTypes().contains(type))
        {
            item.reject("type", "type '" + type + "' names no pool; allowed: " + String.join(", ", context.poolTypes()));
        }
        final int queues = item.integer("queues", QUEUES, 1, 1024);
        final long ratePerSec = item.longValue("ratePerSec", RATE_PER_SEC, 0, 100_000_000);
        item.finish();
        return null == name ? null : new LoopbackDeviceConfig(name, type, queues, ratePerSec);
    }
}
