package io.vplane.perf.report;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class CompareReportTest
{
    @Test
    void shouldJudgeEachFigureByItsIdAndNameFiguresOnlyOneRunHas()
    {
        final List<ReportJson.StoredFigure> old = List.of(
            stored("4k", Better.HIGHER, new Spread(1.0, 0.95, 1.05)),
            stored("p99", Better.LOWER, new Spread(1.0, 0.95, 1.05)),
            stored("gone", Better.HIGHER, new Spread(1.0, 0.95, 1.05)));
        final List<ReportJson.StoredFigure> now = List.of(
            stored("4k", Better.HIGHER, new Spread(0.7, 0.68, 0.72)),
            stored("p99", Better.LOWER, new Spread(1.02, 0.9, 1.1)),
            stored("new", Better.HIGHER, new Spread(1.0, 1.0, 1.0)));
        final List<CompareReport.Line> lines = CompareReport.compare(old, now);
        assertThat(lines).extracting(CompareReport.Line::change).containsExactly(Change.REGRESSION, Change.WITHIN_NOISE, null, null);
        final String text = CompareReport.text(lines);
        assertThat(text).contains("nbd | 4k | IOPS | vs nbdkit: 1.00× [0.95–1.05] -> 0.70× [0.68–0.72]  regression");
        assertThat(text).contains("new figure").contains("not in the new report").contains("1 regression(s), 0 improvement(s), 1 within noise");
    }

    @Test
    void shouldKeepThreeSignificantDigitsOfRatiosFarFromOne()
    {
        assertThat(FigureTable.ratio(new Spread(0.0123, 0.00456, 0.05))).isEqualTo("0.0123× [0.00456–0.0500]");
        assertThat(FigureTable.ratio(new Spread(234.9, 9.5, 1234))).isEqualTo("235× [9.50–1234]");
    }

    private static ReportJson.StoredFigure stored(final String caseName, final Better better, final Spread ratio)
    {
        return new ReportJson.StoredFigure("nbd", caseName, "IOPS", "nbdkit", better, ratio);
    }
}
