package io.vplane.config;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ClosestNameTest
{
    private static final List<String> KEYS = List.of("workers", "cpus", "queuesPerWorker", "batch");

    @Test
    void shouldSuggestNameWithinATypoOrTwo()
    {
        assertThat(ClosestName.of("queuesPerWorkr", KEYS)).isEqualTo("queuesPerWorker");
        assertThat(ClosestName.of("cpu", KEYS)).isEqualTo("cpus");
        assertThat(ClosestName.of("Batch", KEYS)).isEqualTo("batch");
    }

    @Test
    void shouldSuggestNothingWhenNoNameIsClose()
    {
        assertThat(ClosestName.of("telemetry", KEYS)).isNull();
        assertThat(ClosestName.of("x", List.of())).isNull();
    }

    @Test
    void shouldMeasureEditDistance()
    {
        assertThat(ClosestName.distance("kitten", "sitting")).isEqualTo(3);
        assertThat(ClosestName.distance("", "abc")).isEqualTo(3);
        assertThat(ClosestName.distance("same", "same")).isZero();
    }
}
