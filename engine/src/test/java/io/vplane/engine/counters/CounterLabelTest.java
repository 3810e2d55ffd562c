package io.vplane.engine.counters;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CounterLabelTest
{
    @Test
    void formatsInPrometheusSampleForm()
    {
        final CounterLabel label = CounterLabel.of("vplane_group_requests_total", "pool", "net", "group", "net.tap0.g0", "worker", "net-0");

        assertThat(label.format()).isEqualTo("vplane_group_requests_total{pool=\"net\",group=\"net.tap0.g0\",worker=\"net-0\"}");
        assertThat(label.value("worker")).isEqualTo("net-0");
        assertThat(label.value("cpu")).isNull();
    }

    @Test
    void formatsBareNameWithoutLabels()
    {
        assertThat(CounterLabel.of("vplane_up").format()).isEqualTo("vplane_up");
        assertThat(CounterLabel.parse("vplane_up")).isEqualTo(CounterLabel.of("vplane_up"));
    }

    @Test
    void roundTripsEscapedValues()
    {
        final CounterLabel label = CounterLabel.of("vplane_errors_total",
            "component", "a \"quoted\" name", "error", "back\\slash,{brace}=x\nnext");

        final String text = label.format();
        assertThat(text).isEqualTo(
            "vplane_errors_total{component=\"a \\\"quoted\\\" name\",error=\"back\\\\slash,{brace}=x\\nnext\"}");
        assertThat(CounterLabel.parse(text)).isEqualTo(label);
    }

    @Test
    void keepsLabelOrder()
    {
        final CounterLabel label = CounterLabel.parse("m_total{z=\"1\",a=\"2\"}");

        assertThat(label.labels()).extracting(CounterLabel.Pair::name).containsExactly("z", "a");
    }

    @Test
    void acceptsTrailingCommaAndEmptyBraces()
    {
        assertThat(CounterLabel.parse("m{a=\"1\",}")).isEqualTo(CounterLabel.of("m", "a", "1"));
        assertThat(CounterLabel.parse("m{}")).isEqualTo(CounterLabel.of("m"));
    }

    @Test
    void rejectsMalformedText()
    {
        assertThatThrownBy(() -> CounterLabel.parse("m{a=\"1\"")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CounterLabel.parse("m{a=1}")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CounterLabel.parse("m{a=\"1\"}x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CounterLabel.parse("m{a=\"\\t\"}")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CounterLabel.parse("1m")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CounterLabel.parse("m{a=\"1\",a=\"2\"}")).hasMessageContaining("twice");
    }

    @Test
    void rejectsInvalidNames()
    {
        assertThatThrownBy(() -> CounterLabel.of("bad-name")).hasMessageContaining("invalid metric name");
        assertThatThrownBy(() -> CounterLabel.of("m", "bad-label", "x")).hasMessageContaining("invalid label name");
        assertThatThrownBy(() -> CounterLabel.of("m", "__reserved", "x")).hasMessageContaining("invalid label name");
        assertThatThrownBy(() -> CounterLabel.of("m", "odd")).hasMessageContaining("pairs");
    }
}
