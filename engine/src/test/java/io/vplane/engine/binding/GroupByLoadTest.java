package io.vplane.engine.binding;

import io.vplane.engine.Engine;
import io.vplane.engine.LoopbackEngines;
import io.vplane.engine.counters.Counters;
import io.vplane.engine.counters.EngineMetrics;
import io.vplane.engine.device.DeviceKinds;
import io.vplane.engine.loopback.LoopbackDevice;
import io.vplane.engine.loopback.LoopbackQueue;
import io.vplane.engine.management.GroupingView;
import io.vplane.engine.management.PlacementView;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two devices on a pool of two workers, grouped by count so that one worker gets both busy queues
 * and the other both idle ones; regrouping by load gives each worker one busy queue.
 */
class GroupByLoadTest
{
    private static final String CONFIG = """
        management: {enabled: false}
        pools:
          blk: {workers: 2, queuesPerWorker: 2, idle: {strategy: backoff, maxSpins: 10, maxYields: 5, minParkNs: 1000, maxParkNs: 1000000}}
        devices:
          loopback:
            - {name: busy, type: blk, queues: 2, ratePerSec: 20000, requestCostNs: 5000}
            - {name: idle, type: blk, queues: 2, ratePerSec: 100}
        """;

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldDryRunThenApplyALoadBasedGroupingAndKeepTheOtherDeviceWhenOneLeaves() throws Exception
    {
        final Counters counters = Counters.inMemory(512);
        try (Engine engine = LoopbackEngines.start(CONFIG, counters))
        {
            awaitLoad(engine);
            final GroupingView dryRun = engine.groupByLoad("blk", 25, true);

            assertThat(dryRun.applied()).isFalse();
            assertThat(dryRun.improvementPercent()).as("%s", dryRun).isGreaterThan(50);
            assertThat(dryRun.workers()).allSatisfy(worker ->
                assertThat(worker.queuesAfter()).filteredOn(queue -> queue.startsWith("busy/")).hasSize(1));
            assertThat(engine.placement("blk").grouping()).isEqualTo(PlacementView.BY_COUNT);

            Thread.sleep(500); // a window long enough that a stall of the shared machine does not empty it
            final GroupingView applied = engine.groupByLoad("blk", 25, false);

            assertThat(applied.applied()).as("%s", applied).isTrue();
            final PlacementView placement = engine.placementWithLoads("blk");
            assertThat(placement.grouping()).isEqualTo(PlacementView.BY_LOAD);
            assertThat(placement.queues()).hasSize(4);
            assertThat(placement.queues().stream().filter(queue -> queue.queue().startsWith("busy/")).map(PlacementView.QueueView::worker))
                .as("each worker serves one busy queue").containsExactlyInAnyOrder("blk-0", "blk-1");
            assertThat(counters.value(EngineMetrics.REBALANCE_CONSIDERED_TOTAL + "{pool=\"blk\"}")).isEqualTo(2);
            assertThat(counters.value(EngineMetrics.REBALANCE_APPLIED_TOTAL + "{pool=\"blk\"}")).isEqualTo(1);

            final LoopbackDevice busy = (LoopbackDevice)engine.device("busy");
            engine.removeDevice("idle");

            final long before = busy.queues().stream().mapToLong(LoopbackQueue::consumed).sum();
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (busy.queues().stream().mapToLong(LoopbackQueue::consumed).sum() < before + 2_000)
            {
                assertThat(System.nanoTime() - deadline).as("the busy device stopped being served").isNegative();
                Thread.onSpinWait();
            }
            assertThat(engine.placement("blk").workers()).allSatisfy(worker ->
                assertThat(worker.groups()).singleElement().satisfies(group ->
                    assertThat(group.queues()).singleElement().asString().startsWith("busy/")));
            assertThat(busy.queues()).allSatisfy(queue -> assertThat(queue.orderErrors()).isZero());
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldRegroupByItselfInAutoModeOnceTheIntervalHasPassed() throws Exception
    {
        final Counters counters = Counters.inMemory(512);
        try (Engine engine = LoopbackEngines.start(CONFIG.replace("maxParkNs: 1000000}}",
            "maxParkNs: 1000000}, autoBalance: {enabled: true, thresholdPercent: 25, minIntervalSeconds: 1}}"), counters))
        {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!PlacementView.BY_LOAD.equals(engine.placement("blk").grouping()))
            {
                assertThat(System.nanoTime() - deadline).as("auto mode never regrouped").isNegative();
                Thread.sleep(100);
            }
            assertThat(counters.value(EngineMetrics.REBALANCE_APPLIED_TOTAL + "{pool=\"blk\"}")).isEqualTo(1);
            assertThat(counters.value(EngineMetrics.REBALANCE_CONSIDERED_TOTAL + "{pool=\"blk\"}")).isPositive();
        }
    }

    @Test
    void shouldRefuseAutoModeInADedicatedPool()
    {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> DeviceKinds.load().parse(
            "pools:\n  blk: {dedicated: true, autoBalance: {enabled: true}}\n", "test"))
            .hasMessageContaining("pools.blk.autoBalance").hasMessageContaining("dedicated pool");
    }

    private static void awaitLoad(final Engine engine)
    {
        final LoopbackDevice busy = (LoopbackDevice)engine.device("busy");
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (busy.queues().stream().mapToLong(LoopbackQueue::consumed).sum() < 2_000)
        {
            assertThat(System.nanoTime() - deadline).isNegative();
            Thread.onSpinWait();
        }
    }
}
