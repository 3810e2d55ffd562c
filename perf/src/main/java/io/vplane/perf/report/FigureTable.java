package io.vplane.perf.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A benchmark's paired figures as rows: case, metric, each side's median, the ratio with its min–max, verdict. */
public final class FigureTable
{
    private final List<String> header;
    private final List<List<String>> rows = new ArrayList<>();

    public FigureTable(final BenchmarkRun run)
    {
        final String subject = run.subject() == null ? "vplane" : run.subject().name();
        header = List.of("case", "metric", subject + " median", "anchor", "anchor median",
            "ratio " + subject + "/anchor, median [min–max]", "verdict");
        for (final PairedFigure figure : run.figures())
        {
            final Spread ratio = figure.ratio();
            rows.add(List.of(figure.caseName(), figure.metric() + " (" + figure.unit() + ", " + figure.better().word() + " is better)",
                value(figure.subject().median()), figure.anchor(), value(figure.anchorSpread().median()),
                ratio(ratio), figure.verdict().text()));
        }
    }

    public boolean isEmpty()
    {
        return rows.isEmpty();
    }

    /** "1.05× [0.97–1.12]"; ratios far from 1 keep three significant digits ("0.0123×", "235×"). */
    public static String ratio(final Spread ratio)
    {
        return ratioNumber(ratio.median()) + "× [" + ratioNumber(ratio.min()) + "–" + ratioNumber(ratio.max()) + "]";
    }

    private static String ratioNumber(final double ratio)
    {
        return ratio >= 0.1 && ratio < 10 ? String.format(Locale.ROOT, "%.2f", ratio) : value(ratio);
    }

    /** A measured value with about three significant digits, without a thousands separator. */
    public static String value(final double value)
    {
        final double magnitude = Math.abs(value);
        if (magnitude >= 100)
        {
            return String.format(Locale.ROOT, "%.0f", value);
        }
        if (magnitude >= 10)
        {
            return String.format(Locale.ROOT, "%.1f", value);
        }
        if (magnitude >= 1)
        {
            return String.format(Locale.ROOT, "%.2f", value);
        }
        return String.format(Locale.ROOT, "%.3g", value);
    }

    public String markdown()
    {
        final StringBuilder text = new StringBuilder();
        text.append("| ").append(String.join(" | ", header)).append(" |\n");
        text.append("|").append("---|".repeat(header.size())).append('\n');
        rows.forEach(row -> text.append("| ").append(String.join(" | ", row.stream().map(c -> c.replace("|", "\\|")).toList())).append(" |\n"));
        return text.toString();
    }

    public String text()
    {
        final int[] widths = new int[header.size()];
        for (int c = 0; c < widths.length; c++)
        {
            widths[c] = header.get(c).length();
            for (final List<String> row : rows)
            {
                widths[c] = Math.max(widths[c], row.get(c).length());
            }
        }
        final StringBuilder text = new StringBuilder();
        appendAligned(text, header, widths);
        rows.forEach(row -> appendAligned(text, row, widths));
        return text.toString();
    }

    private static void appendAligned(final StringBuilder text, final List<String> cells, final int[] widths)
    {
        for (int c = 0; c < cells.size(); c++)
        {
            text.append(cells.get(c));
            if (c + 1 < cells.size())
            {
                text.append(" ".repeat(widths[c] - cells.get(c).length() + 2));
            }
        }
        text.append('\n');
    }
}
