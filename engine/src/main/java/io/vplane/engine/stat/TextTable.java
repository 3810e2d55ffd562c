package io.vplane.engine.stat;

import java.util.ArrayList;
import java.util.List;

/** Columns of text padded to the widest cell; numbers right-aligned. */
final class TextTable
{
    private final List<String> titles = new ArrayList<>();
    private final List<Boolean> rightAligned = new ArrayList<>();
    private final List<String[]> rows = new ArrayList<>();

    TextTable left(final String title)
    {
        titles.add(title);
        rightAligned.add(false);
        return this;
    }

    TextTable right(final String title)
    {
        titles.add(title);
        rightAligned.add(true);
        return this;
    }

    TextTable row(final String... cells)
    {
        if (cells.length != titles.size())
        {
            throw new IllegalArgumentException("row has " + cells.length + " cells, table has " + titles.size() + " columns");
        }
        rows.add(cells.clone());
        return this;
    }

    boolean isEmpty()
    {
        return rows.isEmpty();
    }

    void render(final StringBuilder sb, final String indent)
    {
        final int[] widths = new int[titles.size()];
        for (int c = 0; c < widths.length; c++)
        {
            widths[c] = titles.get(c).length();
            for (final String[] row : rows)
            {
                widths[c] = Math.max(widths[c], row[c].length());
            }
        }
        line(sb, indent, titles.toArray(new String[0]), widths);
        for (final String[] row : rows)
        {
            line(sb, indent, row, widths);
        }
    }

    private void line(final StringBuilder sb, final String indent, final String[] cells, final int[] widths)
    {
        final int start = sb.length();
        sb.append(indent);
        for (int c = 0; c < cells.length; c++)
        {
            if (c > 0)
            {
                sb.append("  ");
            }
            final int padding = widths[c] - cells[c].length();
            if (rightAligned.get(c))
            {
                sb.repeat(' ', padding).append(cells[c]);
            }
            else
            {
                sb.append(cells[c]).repeat(' ', padding);
            }
        }
        // No trailing blanks: they only make the terminal wrap sooner.
        int end = sb.length();
        while (end > start && ' ' == sb.charAt(end - 1))
        {
            end--;
        }
        sb.setLength(end);
        sb.append('\n');
    }
}
