package io.vplane.perf.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Old against new, per figure (benchmark, case, metric, anchor): the two median ratios with their
 * min–max, and a regression or an improvement only when the change is outside both runs' spreads.
 */
public final class CompareReport
{
    /** One figure's line. */
    public record Line(String id, Spread before, Spread after, Change change)
    {
        public String text()
        {
            if (before == null)
            {
                return id + ": new figure " + FigureTable.ratio(after);
            }
            if (after == null)
            {
                return id + ": not in the new report (was " + FigureTable.ratio(before) + ")";
            }
            return String.format(Locale.ROOT, "%s: %s -> %s  %s", id, FigureTable.ratio(before), FigureTable.ratio(after), change.text());
        }
    }

    private CompareReport()
    {
    }

    public static List<Line> compare(final List<ReportJson.StoredFigure> before, final List<ReportJson.StoredFigure> after)
    {
        final Map<String, ReportJson.StoredFigure> old = new LinkedHashMap<>();
        before.forEach(f -> old.put(f.id(), f));
        final List<Line> lines = new ArrayList<>();
        for (final ReportJson.StoredFigure now : after)
        {
            final ReportJson.StoredFigure then = old.remove(now.id());
            lines.add(then == null
                ? new Line(now.id(), null, now.ratio(), null)
                : new Line(now.id(), then.ratio(), now.ratio(), Change.of(then.ratio(), now.ratio(), now.better())));
        }
        old.values().forEach(gone -> lines.add(new Line(gone.id(), gone.ratio(), null, null)));
        return lines;
    }

    public static String text(final List<Line> lines)
    {
        final StringBuilder text = new StringBuilder("ratio vplane/anchor per figure, old -> new (median [min–max]):\n");
        lines.forEach(line -> text.append("  ").append(line.text()).append('\n'));
        final long regressions = lines.stream().filter(l -> l.change() == Change.REGRESSION).count();
        final long improvements = lines.stream().filter(l -> l.change() == Change.IMPROVEMENT).count();
        text.append(String.format(Locale.ROOT, "%d regression(s), %d improvement(s), %d within noise%n", regressions, improvements,
            lines.stream().filter(l -> l.change() == Change.WITHIN_NOISE).count()));
        return text.toString();
    }
}
