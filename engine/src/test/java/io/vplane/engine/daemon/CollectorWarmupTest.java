package io.vplane.engine.daemon;

import com.sun.management.HotSpotDiagnosticMXBean;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class CollectorWarmupTest
{
    private static final HotSpotDiagnosticMXBean HOTSPOT = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);

    @Test
    void shouldHandTheWholeHeapToTheCollectorOnceStarted()
    {
        final String before = HOTSPOT.getVMOption("SoftMaxHeapSize").getValue();
        try
        {
            HOTSPOT.setVMOption("SoftMaxHeapSize", Long.toString(CollectorWarmup.maxHeapBytes() / 2));
            assertThat(CollectorWarmup.softMaxBytes()).isLessThan(CollectorWarmup.maxHeapBytes());

            CollectorWarmup.handOverHeap(Duration.ofMillis(200));

            assertThat(CollectorWarmup.softMaxBytes()).isEqualTo(CollectorWarmup.maxHeapBytes());
        }
        finally
        {
            HOTSPOT.setVMOption("SoftMaxHeapSize", before);
        }
    }
}
