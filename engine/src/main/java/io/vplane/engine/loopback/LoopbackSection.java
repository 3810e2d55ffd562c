package io.vplane.engine.loopback;

import io.vplane.config.BindContext;
import io.vplane.config.DeviceListSection;
import io.vplane.config.SectionReader;

/** Reads the {@code devices.loopback} list: every device applies live (added, removed or reopened). */
public final class LoopbackSection extends DeviceListSection<LoopbackDevicesConfig, LoopbackDeviceConfig>
{
    public static final String TYPE = "net";
    public static final int QUEUES = 4;
    public static final long RATE_PER_SEC = 10_000;

    public LoopbackSection()
    {
        super(LoopbackDeviceProvider.KIND, LoopbackDevicesConfig.class, LoopbackDevicesConfig::new,
            LoopbackDevicesConfig::devices, LoopbackDeviceConfig::name, LoopbackSection::describe);
    }

    /** How a device appears in a change: every setting but its name, which is in the path. */
    public static String describe(final LoopbackDeviceConfig device)
    {
        return "type=" + device.type() + " queues=" + device.queues() + " ratePerSec=" + device.ratePerSec() +
            (0 == device.requestCostNs() ? "" : " requestCostNs=" + device.requestCostNs());
    }

    @Override
    protected LoopbackDeviceConfig device(final SectionReader item, final BindContext context)
    {
        final String name = item.requiredName("name", "device");
        final String type = item.string("type", TYPE);
        if (!context.poolTypes().contains(type))
        {
            item.reject("type", "type '" + type + "' names no pool; allowed: " + String.join(", ", context.poolTypes()));
        }
        final int queues = item.integer("queues", QUEUES, 1, 1024);
        final long ratePerSec = item.longValue("ratePerSec", RATE_PER_SEC, 0, 100_000_000);
        final long requestCostNs = item.longValue("requestCostNs", 0, 0, 1_000_000);
        item.finish();
        return null == name ? null : new LoopbackDeviceConfig(name, type, queues, ratePerSec, requestCostNs);
    }
}
