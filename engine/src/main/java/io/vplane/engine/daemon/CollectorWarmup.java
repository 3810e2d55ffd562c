package io.vplane.engine.daemon;

import com.sun.management.HotSpotDiagnosticMXBean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;

/**
 * Lets the collector learn during start-up, so that it has no reason to run in the steady state.
 * ZGC collects three times as "warm-up" when the heap in use passes 10, 20 and 30 % of its soft
 * maximum, to learn how long a cycle takes; after those it collects only when the free heap would
 * not last. The daemon's data path allocates nothing and the whole daemon ~10 KB/s, so with the
 * whole heap as soft maximum the third warm-up would come an hour or more into the steady state:
 * five stops of every worker. {@code bin/jvm-daemon.options} therefore starts the JVM with a small
 * soft maximum (start-up allocation passes its thresholds in seconds), and once the daemon has
 * started this hands the collector the whole heap back.
 */
public final class CollectorWarmup
{
    private static final Logger LOG = LoggerFactory.getLogger(CollectorWarmup.class);
    private static final String SOFT_MAX = "SoftMaxHeapSize";
    private static final String MAJOR_CYCLES = "ZGC Major Cycles";
    private static final int WARMUP_CYCLES = 3;
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    private CollectorWarmup()
    {
    }

    /** {@code vplane run}, once started: hands the heap over from a thread of its own that ends when done. */
    public static void handOverHeapWhenWarm()
    {
        if (softMaxBytes() < maxHeapBytes())
        {
            Thread.ofPlatform().daemon().name("vplane-collector-warmup").start(() -> handOverHeap(PATIENCE));
        }
    }

    /**
     * Waits up to {@code patience} for ZGC's warm-up cycles (none to wait for under another collector),
     * then raises the soft maximum heap to the whole heap. Does nothing when it is there already.
     */
    static void handOverHeap(final Duration patience)
    {
        final long max = maxHeapBytes();
        final long soft = softMaxBytes();
        if (soft >= max)
        {
            return;
        }
        final long cycles = awaitMajorCycles(WARMUP_CYCLES, patience);
        hotspot().setVMOption(SOFT_MAX, Long.toString(max));
        if (cycles < 0)
        {
            LOG.info("collector: not ZGC, no warm-up to wait for; soft max heap {} MiB -> {} MiB", soft >> 20, max >> 20);
        }
        else if (cycles >= WARMUP_CYCLES)
        {
            LOG.info("collector: warm-up done during start-up ({} major cycles); soft max heap {} MiB -> {} MiB",
                cycles, soft >> 20, max >> 20);
        }
        else
        {
            LOG.warn("collector: {} of ZGC's {} warm-up cycles ran in {} s of start-up; the rest will come once the heap " +
                "in use passes 20-30 % of {} MiB; soft max heap {} MiB -> {} MiB", cycles, WARMUP_CYCLES, patience.toSeconds(),
                max >> 20, soft >> 20, max >> 20);
        }
    }

    /** @return ZGC's completed major cycles once there are {@code wanted} or the patience ran out; -1 without ZGC */
    private static long awaitMajorCycles(final int wanted, final Duration patience)
    {
        final GarbageCollectorMXBean major = ManagementFactory.getGarbageCollectorMXBeans().stream()
            .filter(bean -> MAJOR_CYCLES.equals(bean.getName())).findFirst().orElse(null);
        if (null == major)
        {
            return -1;
        }
        final long deadline = System.nanoTime() + patience.toNanos();
        while (major.getCollectionCount() < wanted && System.nanoTime() - deadline < 0)
        {
            try
            {
                Thread.sleep(100);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return major.getCollectionCount();
    }

    static long softMaxBytes()
    {
        return Long.parseLong(hotspot().getVMOption(SOFT_MAX).getValue());
    }

    static long maxHeapBytes()
    {
        return Long.parseLong(hotspot().getVMOption("MaxHeapSize").getValue());
    }

    private static HotSpotDiagnosticMXBean hotspot()
    {
        return ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
    }
}
