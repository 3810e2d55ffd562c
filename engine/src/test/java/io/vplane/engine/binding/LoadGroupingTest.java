package io.vplane.engine.binding;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class LoadGroupingTest
{
    private static final Map<String, Double> LOADS = Map.of("a/0", 60.0, "a/1", 10.0, "b/0", 35.0, "b/1", 30.0, "c/0", 5.0);

    @Test
    void shouldGiveTheHeaviestQueueToTheLeastLoadedWorkerMixingDevices()
    {
        final List<List<String>> assignment = LoadGrouping.assign(List.of("a/0", "a/1", "b/0", "b/1", "c/0"), LOADS::get, 2);

        assertThat(assignment.get(0)).containsExactly("a/0", "a/1");
        assertThat(assignment.get(1)).containsExactly("b/0", "b/1", "c/0");
        assertThat(LoadGrouping.workerLoads(assignment, LOADS::get)).containsExactly(70.0, 70.0);
    }

    @Test
    void shouldMeasureTheImprovementAsTheDropInVarianceOfWorkerLoads()
    {
        final double[] before = {95.0, 45.0};
        final double[] after = {70.0, 70.0};

        assertThat(LoadGrouping.variance(before)).isCloseTo(625.0, within(1e-9));
        assertThat(LoadGrouping.improvementPercent(before, after)).isCloseTo(100.0, within(1e-9));
        assertThat(LoadGrouping.improvementPercent(after, before)).isZero();
        assertThat(LoadGrouping.improvementPercent(new double[] {50, 50}, new double[] {60, 40})).isZero();
        assertThat(LoadGrouping.improvementPercent(new double[] {80, 20}, new double[] {60, 40})).isCloseTo(100 * (900.0 - 100) / 900,
            within(1e-9));
    }

    @Test
    void shouldSpreadIdleQueuesByCountWhenNothingHasLoad()
    {
        final List<List<Integer>> assignment = LoadGrouping.assign(List.of(0, 1, 2, 3, 4), queue -> 0.0, 2);

        assertThat(assignment.get(0)).containsExactly(0, 2, 4);
        assertThat(assignment.get(1)).containsExactly(1, 3);
    }
}
