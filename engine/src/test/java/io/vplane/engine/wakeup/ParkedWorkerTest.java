package io.vplane.engine.wakeup;

import io.vplane.engine.Engine;
import io.vplane.engine.counters.Counters;
import io.vplane.engine.counters.EngineMetrics;
import io.vplane.engine.device.DeviceKinds;
import io.vplane.engine.errors.ErrorLog;
import io.vplane.engine.loopback.LoopbackDevice;
import io.vplane.engine.loopback.LoopbackDeviceProvider;
import io.vplane.engine.loopback.LoopbackQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A worker with the {@code park} strategy and a 10 s maximum park serves a slow loopback device:
 * every request arrives within a fraction of that (the doorbell wakes it), and while nothing comes
 * the worker sleeps instead of spinning through duty cycles.
 */
class ParkedWorkerTest
{
    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void shouldSleepUntilAQueueRingsAndServeEveryRequest() throws Exception
    {
        final Counters counters = Counters.inMemory(256);
        try (Engine engine = new Engine(DeviceKinds.load().parse("""
            management: {enabled: false}
            pools:
              blk: {workers: 1, queuesPerWorker: 4, idle: {strategy: park, minParkNs: 1000000, maxParkNs: 10000000000}}
            devices:
              loopback:
                - {name: lo1, type: blk, queues: 2, ratePerSec: 200}
            """, "test"), counters, new ErrorLog(counters), List.of(new LoopbackDeviceProvider())))
        {
            final LoopbackDevice device = (LoopbackDevice)engine.device("lo1");
            Thread.sleep(500);
            device.quiesce();
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            while (consumed(device) < generated(device) && System.nanoTime() < deadline)
            {
                Thread.sleep(10);
            }
            assertThat(generated(device)).isPositive();
            assertThat(consumed(device)).as("served without waiting for the 10 s park").isEqualTo(generated(device));

            final long cyclesBefore = dutyCycles(counters);
            Thread.sleep(300);
            assertThat(dutyCycles(counters) - cyclesBefore).as("duty cycles while idle").isLessThanOrEqualTo(3);
            final long rebindStart = System.nanoTime();
            engine.changePlacement("blk", 1);
            assertThat(System.nanoTime() - rebindStart).as("a parked worker takes commands at once")
                .isLessThan(TimeUnit.SECONDS.toNanos(5));
            for (final LoopbackQueue queue : device.queues())
            {
                assertThat(queue.orderErrors()).isZero();
            }
        }
    }

    private static long generated(final LoopbackDevice device)
    {
        return device.queues().stream().mapToLong(LoopbackQueue::generated).sum();
    }

    private static long consumed(final LoopbackDevice device)
    {
        return device.queues().stream().mapToLong(LoopbackQueue::consumed).sum();
    }

    private static long dutyCycles(final Counters counters)
    {
        final long[] total = {0};
        counters.reader().forEach((id, type, key, label) ->
        {
            if (label.startsWith(EngineMetrics.WORKER_DUTY_CYCLES_TOTAL) && label.contains("pool=\"blk\""))
            {
                total[0] += counters.reader().getCounterValue(id);
            }
        });
        return total[0];
    }
}
