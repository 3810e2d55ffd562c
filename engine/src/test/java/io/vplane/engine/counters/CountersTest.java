package io.vplane.engine.counters;

import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersReader;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CountersTest
{
    private final Counters counters = Counters.inMemory(8);

    @Test
    void counterAndGaugeCarryTheirKind()
    {
        final AtomicCounter counter = counters.counter("vplane_x_total", "pool", "net");
        final AtomicCounter gauge = counters.gauge("vplane_level", "pool", "net");

        assertThat(counters.reader().getCounterTypeId(counter.id())).isEqualTo(CounterKind.COUNTER.typeId());
        assertThat(counters.reader().getCounterTypeId(gauge.id())).isEqualTo(CounterKind.GAUGE.typeId());
        assertThat(counter.label()).isEqualTo("vplane_x_total{pool=\"net\"}");
    }

    @Test
    void findsACounterByItsWholeLabelAndReadsZeroForOneNotThere()
    {
        counters.counter("vplane_x_total", "pool", "net").getAndAdd(3);
        counters.counter("vplane_x_total", "pool", "blk").getAndAdd(5);

        assertThat(counters.value("vplane_x_total{pool=\"blk\"}")).isEqualTo(5);
        assertThat(counters.value("vplane_x_total{pool=\"net\"}")).isEqualTo(3);
        assertThat(counters.value("vplane_x_total")).isZero();
    }

    @Test
    void validatesNames()
    {
        assertThatThrownBy(() -> counters.counter("vplane_x")).hasMessageContaining("_total");
        assertThatThrownBy(() -> counters.counter("_total")).hasMessageContaining("_total");
        assertThatThrownBy(() -> counters.gauge("vplane_x_total")).hasMessageContaining("must not end in _total");
        assertThatThrownBy(() -> counters.counter("vplane x_total")).hasMessageContaining("invalid metric name");
        assertThatThrownBy(() -> counters.counter("x_total", "pool")).hasMessageContaining("pairs");
    }

    @Test
    void refusesAGaugeAndACounterThatWouldShareAPrometheusFamily()
    {
        counters.counter("vplane_conn_total");
        counters.gauge("vplane_level");

        assertThatThrownBy(() -> counters.gauge("vplane_conn")).hasMessageContaining("vplane_conn is already a counter");
        assertThatThrownBy(() -> counters.counter("vplane_level_total")).hasMessageContaining("vplane_level is already a gauge");
        counters.counter("vplane_conn_total", "pool", "blk"); // the same kind again is one family with more points
    }

    @Test
    void rejectsLabelsThatDoNotFitOrAreNotAscii()
    {
        assertThatThrownBy(() -> counters.counter("x_total", "v", "x".repeat(400))).hasMessageContaining("longer than 380");
        assertThatThrownBy(() -> counters.counter("x_total", "v", "caf\u00e9")).hasMessageContaining("ASCII");
    }

    @Test
    void closingFreesTheSlot()
    {
        final int before = counters.available();
        final AtomicCounter counter = counters.counter("x_total");
        assertThat(counters.available()).isEqualTo(before - 1);

        counter.close();
        assertThat(counters.reader().getCounterState(counter.id())).isNotEqualTo(CountersReader.RECORD_ALLOCATED);
    }
}
