package io.vplane.blockstore.device;

import io.vplane.engine.stat.StatColumn;
import io.vplane.engine.stat.StatSection;

import java.util.List;

/** The {@code vplane stat} table of the disks: one row per disk and its tenant. */
public final class DiskStats
{
    private DiskStats()
    {
    }

    public static StatSection section()
    {
        return new StatSection("Disks", List.of("disk", "tenant"), List.of(
            StatColumn.rate("requests/s", DiskMetrics.REQUESTS),
            StatColumn.rate("read B/s", DiskMetrics.READ_BYTES),
            StatColumn.rate("written B/s", DiskMetrics.WRITTEN_BYTES),
            StatColumn.rate("spliced writes/s", DiskMetrics.SPLICED_WRITES),
            StatColumn.value("requests", DiskMetrics.REQUESTS)));
    }
}
