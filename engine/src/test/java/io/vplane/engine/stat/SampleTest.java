package io.vplane.engine.stat;

import io.vplane.engine.counters.CounterKind;
import io.vplane.engine.counters.Counters;
import io.vplane.engine.counters.EngineMetrics;
import org.agrona.concurrent.status.AtomicCounter;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SampleTest
{
    @Test
    void readsLiveCountersWithTheirIdentity()
    {
        final Counters counters = Counters.inMemory(8);
        final AtomicCounter requests = counters.counter(EngineMetrics.QUEUE_REQUESTS_TOTAL, "pool", "net", "device", "tap0", "queue", "1");
        counters.counter("gone_total").close();
        requests.set(99);

        final Sample sample = Sample.read(counters.reader(), 7, 100, 1_100, 5);

        assertThat(sample.uptimeMs()).isEqualTo(1_000);
        assertThat(sample.counters()).singleElement().satisfies((counter) ->
        {
            assertThat(counter.counterId()).isEqualTo(requests.id());
            assertThat(counter.registrationId()).isPositive();
            assertThat(counter.kind()).isEqualTo(CounterKind.COUNTER);
            assertThat(counter.metricName()).isEqualTo(EngineMetrics.QUEUE_REQUESTS_TOTAL);
            assertThat(counter.labelValue("device")).isEqualTo("tap0");
            assertThat(counter.labelValue("cpu")).isEmpty();
            assertThat(counter.value()).isEqualTo(99);
        });
        assertThat(sample.byKey()).containsKey(sample.counters().getFirst().key());
    }
}
