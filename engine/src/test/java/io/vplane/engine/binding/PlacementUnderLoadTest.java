package io.vplane.engine.binding;

import io.vplane.config.VplaneConfig;
import io.vplane.engine.Engine;
import io.vplane.engine.counters.Counters;
import io.vplane.engine.device.DeviceKinds;
import io.vplane.engine.errors.ErrorLog;
import io.vplane.engine.loopback.LoopbackDevice;
import io.vplane.engine.loopback.LoopbackDeviceProvider;
import io.vplane.engine.loopback.LoopbackQueue;
import io.vplane.engine.management.PlacementView;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Rebinds a pool again and again while flat-out generators feed its queues, then checks on the
 * consumer side that every request arrived exactly once and in per-queue order.
 */
class PlacementUnderLoadTest
{
    private static final int REBINDS = 40;
    private static final long MIN_ITEMS = 2_000_000;

    @ParameterizedTest(name = "dedicated={0}")
    @ValueSource(booleans = {false, true})
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldKeepEveryRequestExactlyOnceAndInOrderAcrossRebinds(final boolean dedicated)
    {
        final VplaneConfig config = DeviceKinds.load().parse("""
            management: {enabled: false}
            pools:
              blk:
                workers: 2
                dedicated: %s
                queuesPerWorker: 1
                batch: 16
                ringSize: 256
                idle: {strategy: backoff, maxSpins: 10, maxYields: 5, minParkNs: 1000, maxParkNs: 100000}
            devices:
              loopback:
                - {name: lo1, type: blk, queues: 6, ratePerSec: 0}
                - {name: lo2, type: blk, queues: 3, ratePerSec: 0}
            """.formatted(dedicated), "test");
        final Counters counters = Counters.inMemory(1024);

        try (Engine engine = new Engine(config, counters, new ErrorLog(counters), List.of(new LoopbackDeviceProvider())))
        {
            final LoopbackDevice lo1 = (LoopbackDevice)engine.device("lo1");
            final LoopbackDevice lo2 = (LoopbackDevice)engine.device("lo2");
            for (int round = 0; round < REBINDS; round++)
            {
                final long before = consumed(lo1) + consumed(lo2);
                final int n = 1 + round % 4;
                final PlacementView view = engine.changePlacement("blk", n);

                assertThat(view.queuesPerWorker()).isEqualTo(n);
                assertThat(view.workers().stream().mapToInt(w -> w.groups().size()).sum())
                    .isEqualTo(QueueBinding.groupCount(6, n) + QueueBinding.groupCount(3, n));
                awaitProgress(lo1, lo2, before + MIN_ITEMS / REBINDS);
            }

            assertThat(engine.drain(10_000)).isTrue();
            for (final LoopbackDevice device : List.of(lo1, lo2))
            {
                for (final LoopbackQueue queue : device.queues())
                {
                    assertThat(queue.orderErrors()).as("order errors on %s/%d", device.name(), queue.index()).isZero();
                    assertThat(queue.consumed()).as("consumed on %s/%d", device.name(), queue.index())
                        .isEqualTo(queue.generated()).isPositive();
                }
            }
            assertThat(consumed(lo1) + consumed(lo2)).isGreaterThanOrEqualTo(MIN_ITEMS);
        }
    }

    private static void awaitProgress(final LoopbackDevice lo1, final LoopbackDevice lo2, final long target)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (consumed(lo1) + consumed(lo2) < target)
        {
            assertThat(System.nanoTime() - deadline).as("no progress after a rebind").isNegative();
            LockSupport.parkNanos(100_000);
        }
    }

    private static long consumed(final LoopbackDevice device)
    {
        return device.queues().stream().mapToLong(LoopbackQueue::consumed).sum();
    }
}
