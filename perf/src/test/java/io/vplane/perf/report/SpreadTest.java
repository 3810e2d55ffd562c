package io.vplane.perf.report;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SpreadTest
{
    @Test
    void shouldTakeTheMiddleValueOfAnOddCountAndItsExtremes()
    {
        final Spread spread = Spread.of(List.of(3.0, 1.0, 2.0, 9.0, 0.5));
        assertThat(spread.median()).isEqualTo(2.0);
        assertThat(spread.min()).isEqualTo(0.5);
        assertThat(spread.max()).isEqualTo(9.0);
    }

    @Test
    void shouldAverageTheTwoMiddleValuesOfAnEvenCount()
    {
        assertThat(Spread.of(List.of(4.0, 1.0, 3.0, 2.0)).median()).isEqualTo(2.5);
        assertThat(Spread.of(List.of(0.5, 2.0)).median()).isEqualTo(1.25);
    }

    @Test
    void shouldBeNarrowWhenEveryValueLiesWithinFifteenPercentOfTheMedian()
    {
        assertThat(Spread.of(List.of(0.86, 1.0, 1.14)).isWiderThan(Spread.NOISE_FRACTION)).isFalse();
    }

    @Test
    void shouldBeWideWhenTheMinOrTheMaxIsBeyondFifteenPercent()
    {
        assertThat(Spread.of(List.of(0.84, 1.0, 1.0)).isWiderThan(Spread.NOISE_FRACTION)).isTrue();
        assertThat(Spread.of(List.of(1.0, 1.0, 1.16)).isWiderThan(Spread.NOISE_FRACTION)).isTrue();
    }

    @Test
    void shouldRefuseAnEmptySet()
    {
        assertThatThrownBy(() -> Spread.of(List.of())).isInstanceOf(IllegalArgumentException.class);
    }
}
