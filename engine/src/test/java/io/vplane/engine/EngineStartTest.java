package io.vplane.engine;

import io.vplane.config.VplaneConfig;
import io.vplane.engine.counters.Counters;
import io.vplane.engine.device.Device;
import io.vplane.engine.device.DeviceContext;
import io.vplane.engine.device.DeviceKinds;
import io.vplane.engine.device.DeviceProvider;
import io.vplane.engine.device.DeviceSpec;
import io.vplane.engine.errors.ErrorLog;
import io.vplane.engine.loopback.LoopbackDeviceProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EngineStartTest
{
    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void shouldStopItsWorkersWhenADeviceCannotOpenAtStart() throws Exception
    {
        final VplaneConfig config = DeviceKinds.load().parse("""
            management: {enabled: false}
            devices:
              loopback:
                - {name: lo1, type: net, queues: 2, ratePerSec: 0}
            """, "test");
        final Counters counters = Counters.inMemory(256);
        final long[] workersWhenItFailed = {0};
        final DeviceProvider broken = new DeviceProvider()
        {
            @Override
            public String kind()
            {
                return "broken";
            }

            @Override
            public List<DeviceSpec> declaredDevices(final VplaneConfig ignored)
            {
                return List.of(new DeviceSpec("broken", "zz-broken", "blk", null));
            }

            @Override
            public Device open(final DeviceSpec spec, final DeviceContext context)
            {
                workersWhenItFailed[0] = workerThreads();
                throw new IllegalStateException("cannot start the NBD server: port in use");
            }
        };

        assertThatThrownBy(() -> new Engine(config, counters, new ErrorLog(counters), List.of(new LoopbackDeviceProvider(), broken)))
            .hasMessageContaining("port in use");
        assertThat(workersWhenItFailed[0]).as("workers were running when the device failed").isPositive();

        // the worker threads of the pools are gone, so nothing writes to counters the caller frees next
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (workerThreads() > 0 && System.nanoTime() < deadline)
        {
            Thread.sleep(20);
        }
        assertThat(workerThreads()).isZero();
    }

    private static long workerThreads()
    {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("worker-") && t.isAlive()).count();
    }
}
