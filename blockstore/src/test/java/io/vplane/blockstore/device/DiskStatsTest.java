package io.vplane.blockstore.device;

import io.vplane.blockstore.BlockDeviceKind;
import io.vplane.engine.counters.CountersFile;
import io.vplane.engine.stat.Sample;
import io.vplane.engine.stat.StatTable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class DiskStatsTest
{
    private static final long SECOND_NS = 1_000_000_000L;

    @TempDir
    Path dir;

    @Test
    void shouldShowEachDiskAsARowOfTheBlkKindsTable()
    {
        try (CountersFile file = CountersFile.create(dir.resolve("counters.dat"), 256))
        {
            final DiskMetrics d0 = new DiskMetrics(file.counters(), "d0", "t1");
            final DiskMetrics d1 = new DiskMetrics(file.counters(), "d1", "t2");
            d0.requests.getAndAddRelease(5);
            final Sample before = Sample.read(file.reader(), 1, 0, 0, 0);
            d0.requests.getAndAddRelease(200);
            d0.readBytes.getAndAddRelease(819_200);
            d1.requests.getAndAddRelease(3);
            d1.writtenBytes.getAndAddRelease(12_288);
            d1.splicedWrites.getAndAddRelease(1);
            final Sample after = Sample.read(file.reader(), 1, 0, 1000, SECOND_NS);

            final String text = StatTable.render("f", new BlockDeviceKind().statSections(), before, after);

            assertThat(text).containsPattern("Disks\n" +
                " +disk +tenant +requests/s +read B/s +written B/s +spliced writes/s +requests\n" +
                " +d0 +t1 +200\\.0 +819,200\\.0 +0\\.0 +0\\.0 +205\n" +
                " +d1 +t2 +3\\.0 +0\\.0 +12,288\\.0 +1\\.0 +3\n");
            assertThat(text).doesNotContain("vplane_nbd_requests_total{");
            d0.close();
            d1.close();
        }
    }
}
