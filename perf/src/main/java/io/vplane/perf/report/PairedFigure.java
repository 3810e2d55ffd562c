package io.vplane.perf.report;

import java.util.ArrayList;
import java.util.List;

/**
 * One figure of the subject against one anchor over the pairs: each side's value per pair, the
 * per-pair ratio subject/anchor, their spreads and what they let one conclude.
 */
public record PairedFigure(
    String caseName, String metric, String unit, Better better, String anchor,
    List<Double> subjectValues, List<Double> anchorValues, List<Double> ratios)
{
    /** The figure from pairs in which both sides printed it (a pair where either did not is left out). */
    static PairedFigure of(final Figure.FigureKey key, final String subject, final String anchor, final List<PairOutcome> pairs)
    {
        final List<Double> subjectValues = new ArrayList<>();
        final List<Double> anchorValues = new ArrayList<>();
        final List<Double> ratios = new ArrayList<>();
        Figure first = null;
        for (final PairOutcome pair : pairs)
        {
            final Figure s = pair.figure(subject, key);
            final Figure a = pair.figure(anchor, key);
            if (s == null || a == null)
            {
                continue;
            }
            first = first == null ? s : first;
            subjectValues.add(s.value());
            anchorValues.add(a.value());
            ratios.add(a.value() == 0 ? Double.POSITIVE_INFINITY : s.value() / a.value());
        }
        if (first == null)
        {
            return null;
        }
        return new PairedFigure(key.caseName(), key.metric(), first.unit(), first.better(), anchor,
            List.copyOf(subjectValues), List.copyOf(anchorValues), List.copyOf(ratios));
    }

    public Spread subject()
    {
        return Spread.of(subjectValues);
    }

    public Spread anchorSpread()
    {
        return Spread.of(anchorValues);
    }

    public Spread ratio()
    {
        return Spread.of(ratios);
    }

    public Verdict verdict()
    {
        return Verdict.of(ratio(), better);
    }
}
