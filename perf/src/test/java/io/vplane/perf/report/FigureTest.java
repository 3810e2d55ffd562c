package io.vplane.perf.report;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FigureTest
{
    @Test
    void shouldParseAFigureLineAndIgnoreFreeFormLog()
    {
        assertThat(Figure.parse("figure\t64B guest->backend\tthroughput\t7.41\tMpps\thigher"))
            .contains(new Figure("64B guest->backend", "throughput", 7.41, "Mpps", Better.HIGHER));
        assertThat(Figure.parse("round 1: figures follow")).isEmpty();
    }

    @Test
    void shouldRefuseAMalformedFigureLineRatherThanDropIt()
    {
        assertThatThrownBy(() -> Figure.parse("figure\tcase\tp99\tfast\tus\tlower")).hasMessageContaining("not a number");
        assertThatThrownBy(() -> Figure.parse("figure\tcase\tp99\t12\tus")).hasMessageContaining("6 tab-separated");
        assertThatThrownBy(() -> Figure.parse("figure\tcase\tp99\t12\tus\tsooner")).hasMessageContaining("higher");
    }

    @Test
    void shouldListTheSubjectFirstThenTheAnchors()
    {
        final List<Side> sides = Side.parseAll("nbdkit\tanchor\tnbdkit file\nvplane\tsubject\tthe daemon\nqemu-nbd\tanchor\tqemu\n");
        assertThat(sides).extracting(Side::name).containsExactly("vplane", "nbdkit", "qemu-nbd");
        assertThat(sides.getFirst().role()).isEqualTo(Side.Role.SUBJECT);
    }

    @Test
    void shouldRefuseSidesWithoutOneSubjectAndAnAnchor()
    {
        assertThatThrownBy(() -> Side.parseAll("a\tanchor\tx\n")).hasMessageContaining("one subject");
        assertThatThrownBy(() -> Side.parseAll("a\tsubject\tx\nb\tsubject\ty\nc\tanchor\n")).hasMessageContaining("two subjects");
        assertThatThrownBy(() -> Side.parseAll("a\tsubject\tx\nb\tpeer\ty\n")).hasMessageContaining("ROLE");
    }

    @Test
    void shouldPairEachFigureWithEachAnchorFromThePairsWhereBothPrintedIt()
    {
        final Figure.FigureKey key = new Figure.FigureKey("4k", "IOPS");
        final List<PairOutcome> pairs = List.of(
            new PairOutcome(1, Map.of("v", List.of(figure(110)), "a", List.of(figure(100)))),
            new PairOutcome(2, Map.of("v", List.of(figure(90)), "a", List.of(figure(100)))),
            new PairOutcome(3, Map.of("v", List.of(figure(100)), "a", List.of())));
        final PairedFigure paired = PairedFigure.of(key, "v", "a", pairs);
        assertThat(paired.ratios()).containsExactly(1.1, 0.9);
        assertThat(paired.ratio().median()).isEqualTo(1.0);
        assertThat(paired.subject().median()).isEqualTo(100.0);
        assertThat(paired.verdict()).isEqualTo(Verdict.NO_CLEAR_DIFFERENCE);
    }

    private static Figure figure(final double value)
    {
        return new Figure("4k", "IOPS", value, "IOPS", Better.HIGHER);
    }
}
