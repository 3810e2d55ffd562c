package io.vplane.perf.report;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The figures each side printed in one pair (subject, then each anchor, back to back). */
public record PairOutcome(int number, Map<String, List<Figure>> figuresBySide)
{
    public PairOutcome
    {
        figuresBySide = new LinkedHashMap<>(figuresBySide);
    }

    Figure figure(final String side, final Figure.FigureKey key)
    {
        for (final Figure figure : figuresBySide.getOrDefault(side, List.of()))
        {
            if (figure.key().equals(key))
            {
                return figure;
            }
        }
        return null;
    }
}
