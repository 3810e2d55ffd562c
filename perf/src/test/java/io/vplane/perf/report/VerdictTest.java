package io.vplane.perf.report;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class VerdictTest
{
    @Test
    void shouldSayTooNoisyWhenTheRatioSpreadPassesFifteenPercentWhateverTheMedian()
    {
        assertThat(Verdict.of(new Spread(2.0, 1.6, 2.1), Better.HIGHER)).isEqualTo(Verdict.TOO_NOISY);
        assertThat(Verdict.of(new Spread(1.25, 0.5, 2.0), Better.LOWER)).isEqualTo(Verdict.TOO_NOISY);
    }

    @Test
    void shouldNameVplaneBetterOnlyWhenEveryPairSaysSo()
    {
        assertThat(Verdict.of(new Spread(1.10, 1.05, 1.12), Better.HIGHER)).isEqualTo(Verdict.SUBJECT_BETTER);
        assertThat(Verdict.of(new Spread(0.83, 0.80, 0.90), Better.LOWER)).isEqualTo(Verdict.SUBJECT_BETTER);
    }

    @Test
    void shouldNameTheAnchorBetterTheOtherWayRound()
    {
        assertThat(Verdict.of(new Spread(0.90, 0.85, 0.95), Better.HIGHER)).isEqualTo(Verdict.ANCHOR_BETTER);
        assertThat(Verdict.of(new Spread(1.10, 1.05, 1.12), Better.LOWER)).isEqualTo(Verdict.ANCHOR_BETTER);
    }

    @Test
    void shouldSayNoClearDifferenceWhenThePairsStraddleOne()
    {
        assertThat(Verdict.of(new Spread(1.02, 0.95, 1.08), Better.HIGHER)).isEqualTo(Verdict.NO_CLEAR_DIFFERENCE);
        assertThat(Verdict.of(new Spread(1.0, 1.0, 1.0), Better.LOWER)).isEqualTo(Verdict.NO_CLEAR_DIFFERENCE);
    }
}
