package io.vplane.perf.report;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ChangeTest
{
    @Test
    void shouldCallAFallOutsideBothSpreadsOfAHigherIsBetterRatioARegression()
    {
        assertThat(Change.of(new Spread(1.0, 0.95, 1.05), new Spread(0.8, 0.78, 0.83), Better.HIGHER)).isEqualTo(Change.REGRESSION);
        assertThat(Change.of(new Spread(0.8, 0.78, 0.83), new Spread(1.0, 0.95, 1.05), Better.HIGHER)).isEqualTo(Change.IMPROVEMENT);
    }

    @Test
    void shouldReadARiseOfALowerIsBetterRatioAsARegression()
    {
        assertThat(Change.of(new Spread(1.0, 0.95, 1.05), new Spread(1.3, 1.2, 1.4), Better.LOWER)).isEqualTo(Change.REGRESSION);
        assertThat(Change.of(new Spread(1.3, 1.2, 1.4), new Spread(1.0, 0.95, 1.05), Better.LOWER)).isEqualTo(Change.IMPROVEMENT);
    }

    @Test
    void shouldCallAChangeWithinEitherSpreadNoise()
    {
        // the new median lies within the old run's spread
        assertThat(Change.of(new Spread(1.0, 0.7, 1.3), new Spread(0.8, 0.78, 0.82), Better.HIGHER)).isEqualTo(Change.WITHIN_NOISE);
        // the old median lies within the new run's spread
        assertThat(Change.of(new Spread(1.0, 0.99, 1.01), new Spread(0.8, 0.6, 1.1), Better.HIGHER)).isEqualTo(Change.WITHIN_NOISE);
    }
}
