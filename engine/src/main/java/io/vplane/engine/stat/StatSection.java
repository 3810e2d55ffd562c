package io.vplane.engine.stat;

import java.util.List;
import java.util.Objects;

/**
 * A table a device kind adds to {@code vplane stat}: one row per distinct value of its row labels,
 * one column per counter. Counters it shows leave the "Other counters" table.
 *
 * @param title     the table's heading, e.g. {@code Disks}
 * @param rowLabels the labels whose values name a row, e.g. {@code device} (a counter without one shows "-")
 * @param columns   the counters shown, in order
 */
public record StatSection(String title, List<String> rowLabels, List<StatColumn> columns)
{
    public StatSection
    {
        Objects.requireNonNull(title, "title");
        rowLabels = List.copyOf(rowLabels);
        columns = List.copyOf(columns);
        if (rowLabels.isEmpty() || columns.isEmpty())
        {
            throw new IllegalArgumentException("stat section '" + title + "' needs row labels and columns");
        }
    }
}
