package io.vplane.engine.loopback;

import io.vplane.config.ConfigSection;
import io.vplane.engine.device.DeviceKind;
import io.vplane.engine.counters.EngineMetrics;
import io.vplane.engine.device.DeviceProvider;
import io.vplane.engine.stat.StatColumn;
import io.vplane.engine.stat.StatSection;

import java.util.List;

/** The engine's built-in device kind: synthetic devices under {@code devices.loopback}. */
public final class LoopbackKind implements DeviceKind
{
    @Override
    public String name()
    {
        return LoopbackDeviceProvider.KIND;
    }

    @Override
    public List<ConfigSection<?>> configSections()
    {
        return List.of(new LoopbackSection());
    }

    @Override
    public List<DeviceProvider> deviceProviders()
    {
        return List.of(new LoopbackDeviceProvider());
    }

    @Override
    public List<StatSection> statSections()
    {
        return List.of(new StatSection("Loopback generators", List.of("device", "queue"), List.of(
            StatColumn.rate("generated/s", EngineMetrics.LOOPBACK_GENERATED_TOTAL),
            StatColumn.value("order errors", EngineMetrics.LOOPBACK_ORDER_ERRORS_TOTAL))));
    }
}
