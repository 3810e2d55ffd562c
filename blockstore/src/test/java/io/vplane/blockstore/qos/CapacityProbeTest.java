package io.vplane.blockstore.qos;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CapacityProbeTest
{
    @TempDir
    Path dir;

    @Test
    void shouldMeasureRandomAndLargeReadsAndLeaveNoScratchFileBehind() throws IOException
    {
        final CapacityProbe.Capacity capacity = new CapacityProbe(dir, 16L << 20, 100_000_000L, 2, System::nanoTime).measure();

        assertThat(capacity.iops()).isPositive();
        // a 1 MiB read is at least one 4 KiB block's worth of work: the byte rate is far above the operation rate
        assertThat(capacity.bytesPerSec()).isGreaterThan(capacity.iops());
        assertThat(capacity.describe()).contains("IOPS").contains("bytes/s");
        try (Stream<Path> left = Files.list(dir))
        {
            assertThat(left).isEmpty();
        }
    }

    @Test
    void shouldRefuseAScratchFileThatIsNotWholeMebibytes()
    {
        assertThatThrownBy(() -> new CapacityProbe(dir, (16L << 20) + 1, 1, 1, System::nanoTime))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("multiple of 1 MiB");
    }

    @Test
    void shouldTakeOnlyTheCapacityLeftAtZeroFromAMeasurement()
    {
        final SchedulerSettings.Measure on = new SchedulerSettings.Measure(true, 1, 16, 2);
        final SchedulerSettings iopsSet = new SchedulerSettings(10, 5_000, 0, QosCosts.DEFAULTS, 4, on);

        assertThat(iopsSet.measuresCapacity()).isTrue();
        assertThat(iopsSet.withMeasured(80_000, 900_000_000)).satisfies(s ->
        {
            assertThat(s.capacityIops()).isEqualTo(5_000);
            assertThat(s.capacityBytesPerSec()).isEqualTo(900_000_000);
        });
        assertThat(new SchedulerSettings(10, 5_000, 1_000, QosCosts.DEFAULTS, 4, on).measuresCapacity()).isFalse();
        assertThat(SchedulerSettings.DEFAULTS.measuresCapacity()).isFalse();
    }
}
