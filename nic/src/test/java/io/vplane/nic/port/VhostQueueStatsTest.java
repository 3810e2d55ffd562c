package io.vplane.nic.port;

import io.vplane.engine.counters.CountersFile;
import io.vplane.engine.stat.Sample;
import io.vplane.engine.stat.StatTable;
import io.vplane.nic.NetDeviceKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class VhostQueueStatsTest
{
    private static final long SECOND_NS = 1_000_000_000L;

    @TempDir
    Path dir;

    @Test
    void shouldShowEachVirtqueueOfAPortAsARowOfTheNetKindsTable()
    {
        try (CountersFile file = CountersFile.create(dir.resolve("counters.dat"), 64);
            QueueCounters rx = new QueueCounters(file.counters(), "vp1", 0);
            QueueCounters tx = new QueueCounters(file.counters(), "vp1", 1))
        {
            rx.frames.getAndAddRelease(10);
            final Sample before = Sample.read(file.reader(), 1, 0, 0, 0);
            rx.frames.getAndAddRelease(500);
            rx.bytes.getAndAddRelease(30_000);
            rx.calls.getAndAddRelease(4);
            tx.frames.getAndAddRelease(7);
            tx.ringErrors.getAndAddRelease(1);
            tx.sinkDrops.getAndAddRelease(7);
            final Sample after = Sample.read(file.reader(), 1, 0, 1000, SECOND_NS);

            final String text = StatTable.render("f", new NetDeviceKind().statSections(), before, after);

            assertThat(text).containsPattern("vhost-user queues\n" +
                " +port +queue +frames/s +bytes/s +calls/s +frames +ring errors\n" +
                " +vp1 +0 +500\\.0 +30,000\\.0 +4\\.0 +510 +0\n" +
                " +vp1 +1 +7\\.0 +0\\.0 +0\\.0 +7 +1\n");
            // drops have a reason per counter: they stay among the other counters
            assertThat(text).contains("Other counters").contains("vplane_vhost_drops_total{port=\"vp1\",queue=\"1\",reason=\"sink\"}");
            assertThat(text).doesNotContain("vplane_vhost_frames_total{");
        }
    }
}
