package io.vplane.perf.report;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A benchmark run through the pairs: its sides, what each pair printed, the host's conditions
 * before and after, and, when it failed, why and the tail of its log.
 */
public record BenchmarkRun(
    String name, List<String> args, List<Side> sides, List<PairOutcome> pairs,
    Conditions before, Conditions after, double seconds, String failure, String logTail)
{
    public boolean failed()
    {
        return failure != null;
    }

    public Side subject()
    {
        return sides.isEmpty() ? null : sides.getFirst();
    }

    /** Every figure the subject and an anchor both printed, in the order the subject printed them, per anchor. */
    public List<PairedFigure> figures()
    {
        final List<PairedFigure> figures = new ArrayList<>();
        if (sides.size() < 2)
        {
            return figures;
        }
        final Set<Figure.FigureKey> keys = new LinkedHashSet<>();
        for (final PairOutcome pair : pairs)
        {
            pair.figuresBySide().getOrDefault(subject().name(), List.of()).forEach(f -> keys.add(f.key()));
        }
        for (final Figure.FigureKey key : keys)
        {
            for (final Side anchor : sides.subList(1, sides.size()))
            {
                final PairedFigure figure = PairedFigure.of(key, subject().name(), anchor.name(), pairs);
                if (figure != null)
                {
                    figures.add(figure);
                }
            }
        }
        return figures;
    }
}
