package io.vplane.engine.binding;

import io.vplane.engine.Engine;
import io.vplane.engine.counters.Counters;
import io.vplane.engine.device.DeviceKinds;
import io.vplane.engine.errors.ErrorLog;
import io.vplane.engine.loopback.LoopbackDeviceProvider;
import io.vplane.engine.management.AutotuneView;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PlacementAutotunerTest
{
    @Test
    void shouldKeepTheNThatServedMostUnlessItWinsOnlyByNoise()
    {
        assertThat(PlacementAutotuner.best(trials(100, 300, 200))).isEqualTo(2);
        assertThat(PlacementAutotuner.best(trials(1000, 1010, 1015, 990))).as("within 2%: the smaller N stays").isEqualTo(1);
        assertThat(PlacementAutotuner.best(trials(1000, 1030))).isEqualTo(2);
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void shouldTryEveryNUnderLoadAndLeaveTheChosenOneBound()
    {
        final Counters counters = Counters.inMemory(512);
        try (Engine engine = new Engine(DeviceKinds.load().parse("""
            management: {enabled: false}
            pools:
              blk: {workers: 2, queuesPerWorker: 1, idle: {strategy: backoff, maxSpins: 10, maxYields: 5, minParkNs: 1000, maxParkNs: 100000}}
            devices:
              loopback:
                - {name: lo1, type: blk, queues: 4, ratePerSec: 0}
            """, "test"), counters, new ErrorLog(counters), List.of(new LoopbackDeviceProvider())))
        {
            final AutotuneView result = engine.autotunePlacement("blk", 3, 100);

            assertThat(result.trials()).extracting(AutotuneView.Trial::queuesPerWorker).containsExactly(1, 2, 3);
            assertThat(result.trials()).allSatisfy(trial -> assertThat(trial.requestsPerSec()).isPositive());
            assertThat(result.placement().queuesPerWorker()).isEqualTo(result.chosenQueuesPerWorker());
            assertThat(engine.placement("blk").queuesPerWorker()).isEqualTo(result.chosenQueuesPerWorker());
            assertThatThrownBy(() -> engine.autotunePlacement("blk", 0, 100)).hasMessageContaining("1..64");
        }
    }

    private static List<AutotuneView.Trial> trials(final double... rates)
    {
        final AutotuneView.Trial[] trials = new AutotuneView.Trial[rates.length];
        for (int i = 0; i < rates.length; i++)
        {
            trials[i] = new AutotuneView.Trial(i + 1, rates[i]);
        }
        return List.of(trials);
    }
}
