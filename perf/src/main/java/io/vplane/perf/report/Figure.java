package io.vplane.perf.report;

import java.util.Optional;

/**
 * One measured value a side prints: {@code figure<TAB>CASE<TAB>METRIC<TAB>VALUE<TAB>UNIT<TAB>BETTER}
 * (docs/benchmarks.md, Side-by-side protocol). CASE and METRIC together name the figure.
 */
public record Figure(String caseName, String metric, double value, String unit, Better better)
{
    static final String PREFIX = "figure\t";

    /** The figure on a line of a side's output; empty for any other line (free-form log). */
    public static Optional<Figure> parse(final String line)
    {
        if (!line.startsWith(PREFIX))
        {
            return Optional.empty();
        }
        final String[] fields = line.strip().split("\t", -1);
        if (fields.length != 6 || fields[1].isBlank() || fields[2].isBlank())
        {
            throw new IllegalArgumentException("a figure line has 6 tab-separated fields "
                + "(figure, case, metric, value, unit, better): '" + line + "'");
        }
        final double value;
        try
        {
            value = Double.parseDouble(fields[3]);
        }
        catch (final NumberFormatException e)
        {
            throw new IllegalArgumentException("figure value is not a number: '" + line + "'", e);
        }
        if (!Double.isFinite(value))
        {
            throw new IllegalArgumentException("figure value is not finite: '" + line + "'");
        }
        return Optional.of(new Figure(fields[1], fields[2], value, fields[4], Better.parse(fields[5])));
    }

    /** What identifies the figure across sides and runs. */
    public FigureKey key()
    {
        return new FigureKey(caseName, metric);
    }

    /** CASE + METRIC. */
    public record FigureKey(String caseName, String metric)
    {
    }
}
