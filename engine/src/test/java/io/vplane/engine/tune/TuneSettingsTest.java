package io.vplane.engine.tune;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What {@code vplane tune} may be asked (the API's and the CLI's requests end here). */
class TuneSettingsTest
{
    private static TuneSettings withRate(final TuneLoad load, final long ratePerWorker)
    {
        return new TuneSettings("net", List.of(1, 2), 1_000, load, TuneCriterion.THROUGHPUT_PER_CPU, true, false, ratePerWorker);
    }

    @Test
    void shouldTakeTheLoadsOwnRateUnlessOneIsAsked()
    {
        assertThat(new TuneSettings("net", List.of(1), 1_000, TuneLoad.BUILTIN, TuneCriterion.UTILISATION, false, false)
            .ratePerWorkerOr(50_000)).isEqualTo(50_000);
        assertThat(withRate(TuneLoad.BUILTIN, 1).ratePerWorkerOr(50_000)).isEqualTo(1);
        assertThat(withRate(TuneLoad.BUILTIN, TuneSettings.MAX_RATE_PER_WORKER).ratePerWorkerOr(50_000))
            .isEqualTo(10_000_000);
    }

    @Test
    void shouldRefuseARateOutOfRangeOrWithTheLiveLoad()
    {
        assertThatThrownBy(() -> withRate(TuneLoad.BUILTIN, -1))
            .isInstanceOf(IllegalArgumentException.class).hasMessage("rate must be 1..10,000,000 requests/s per worker: -1");
        assertThatThrownBy(() -> withRate(TuneLoad.BUILTIN, 10_000_001))
            .isInstanceOf(IllegalArgumentException.class).hasMessage("rate must be 1..10,000,000 requests/s per worker: 10000001");
        assertThatThrownBy(() -> withRate(TuneLoad.LIVE, 5_000))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("rate sets the built-in load's rate; the live load is the traffic there is");
        assertThat(withRate(TuneLoad.LIVE, TuneSettings.DEFAULT_RATE).load()).isEqualTo(TuneLoad.LIVE);
    }
}
