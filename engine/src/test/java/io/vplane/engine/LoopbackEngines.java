package io.vplane.engine;

import io.vplane.engine.counters.Counters;
import io.vplane.engine.device.DeviceKinds;
import io.vplane.engine.errors.ErrorLog;
import io.vplane.engine.loopback.LoopbackDeviceProvider;

import java.util.List;

/** An engine with only the loopback device kind, from a config in YAML, for tests that drive real workers. */
public final class LoopbackEngines
{
    private LoopbackEngines()
    {
    }

    public static Engine start(final String yaml, final Counters counters)
    {
        return new Engine(DeviceKinds.load().parse(yaml, "test"), counters, new ErrorLog(counters),
            List.of(new LoopbackDeviceProvider()));
    }
}
