package io.vplane.engine.tune;

import io.vplane.engine.management.TuneView;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class TuneChoiceTest
{
    @Test
    void shouldNameTheSameNWhenBothCriteriaAgree()
    {
        final List<TuneView.Trial> trials = List.of(trial(1, 10_000, 0.50, 30), trial(2, 10_000, 0.25, 60), trial(3, 10_000, 0.40, 40));

        final TuneChoice choice = TuneChoice.of(trials, TuneCriterion.UTILISATION);

        assertThat(choice.chosen()).isEqualTo(2);
        assertThat(choice.byUtilisation()).isEqualTo(2);
        assertThat(choice.byThroughputPerCpu()).isEqualTo(2);
        assertThat(choice.reason()).startsWith("N=2: highest utilisation (60.0%").contains("against 40.0% for N=3")
            .contains("throughput-per-cpu agrees");
    }

    @Test
    void shouldReportBothChoicesWhenTheCriteriaDiffer()
    {
        // N=1 serves more requests for each CPU-second, but N=2 spends a larger share of its CPU in polls
        // (N=1 burns its CPU on per-request work outside the polls it is timed in, say a copy after the poll)
        final List<TuneView.Trial> trials = List.of(trial(1, 20_000, 0.20, 35), trial(2, 20_000, 0.30, 70));

        final TuneChoice utilisation = TuneChoice.of(trials, TuneCriterion.UTILISATION);
        final TuneChoice throughput = TuneChoice.of(trials, TuneCriterion.THROUGHPUT_PER_CPU);

        assertThat(utilisation.chosen()).isEqualTo(2);
        assertThat(throughput.chosen()).isEqualTo(1);
        assertThat(utilisation.byThroughputPerCpu()).isEqualTo(1);
        assertThat(throughput.byUtilisation()).isEqualTo(2);
        assertThat(utilisation.reason()).contains("throughput-per-cpu would pick N=1 (100,000 requests/CPU-s against 66,667");
        assertThat(throughput.reason()).startsWith("N=1: highest throughput per CPU (100,000 requests/CPU-s)")
            .contains("utilisation would pick N=2 (70.0% against 35.0%)");
    }

    @Test
    void shouldKeepTheEarlierCandidateWhenALaterOneWinsOnlyByNoise()
    {
        final List<TuneView.Trial> trials = List.of(trial(1, 10_000, 0.100, 50.0), trial(2, 10_000, 0.099, 50.5));

        assertThat(TuneChoice.of(trials, TuneCriterion.UTILISATION).chosen()).isEqualTo(1);
        assertThat(TuneChoice.of(trials, TuneCriterion.THROUGHPUT_PER_CPU).chosen()).isEqualTo(1);
    }

    @Test
    void shouldChooseNothingWithoutLoad()
    {
        final TuneChoice choice = TuneChoice.of(List.of(trial(1, 0, 0.01, 0), trial(2, 0, 0.01, 0)), TuneCriterion.UTILISATION);

        assertThat(choice.chosen()).isZero();
        assertThat(choice.reason()).contains("no load");
    }

    private static TuneView.Trial trial(final int n, final long requests, final double cpuSeconds, final double utilisation)
    {
        return new TuneView.Trial(n, 1.0, requests, requests, cpuSeconds, utilisation, requests / cpuSeconds, 1000, 0, 0, 0, List.of());
    }
}
