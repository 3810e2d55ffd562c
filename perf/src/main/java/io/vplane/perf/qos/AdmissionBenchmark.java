package io.vplane.perf.qos;

import io.vplane.blockstore.qos.DiskQos;
import io.vplane.blockstore.qos.QosCosts;
import io.vplane.blockstore.qos.QueueGate;
import io.vplane.blockstore.qos.SchedulerSettings;
import io.vplane.blockstore.qos.SliceScheduler;
import io.vplane.blockstore.request.BlockOp;
import io.vplane.blockstore.request.BlockRequest;
import io.vplane.engine.counters.Counters;
import io.vplane.perf.jmh.DefaultRun;
import io.vplane.perf.jmh.ProfiledRun;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.runner.RunnerException;

import java.util.concurrent.TimeUnit;

/**
 * What the QoS admission adds per request on a blk worker: a poll of {@value #BATCH} 4 KiB
 * requests through one disk queue's {@link QueueGate} (into the wait queue, the slice check, the
 * admission), on the real clock so a slice is computed every 10 ms among {@code disks} disks.
 * {@code unlimited}: a disk with no limit and no device capacity (not scheduled); {@code limited}:
 * limits far above the load, so every request is charged and admitted; {@code shared}: a device
 * capacity shared by reservation and weight as well. The GC profiler shows the bytes per request.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class AdmissionBenchmark extends DefaultRun
{
    static final int BATCH = 16;

    @Param({"unlimited", "limited", "shared"})
    String mode;

    @Param({"8"})
    int disks;

    private QueueGate gate;
    private final BlockRequest[] requests = new BlockRequest[BATCH];

    @Setup
    public void setUp()
    {
        final boolean shared = "shared".equals(mode);
        final SliceScheduler scheduler = new SliceScheduler(new SchedulerSettings(10, shared ? 1L << 40 : 0,
            shared ? 1L << 50 : 0, QosCosts.DEFAULTS, SchedulerSettings.PACE_STEPS), System.nanoTime());
        final DiskQos qos = "unlimited".equals(mode) ? DiskQos.UNLIMITED :
            new DiskQos(1_000_000_000L, 1_000_000_000L, 1L << 50, 1L << 50, 0, 1000, 0, 100);
        final Counters counters = Counters.inMemory(1024);
        for (int i = 1; i < disks; i++)
        {
            scheduler.register("other" + i, "t", qos, 1, counters);
        }
        gate = scheduler.register("d0", "t", qos, 1, counters).gate(0);
        for (int i = 0; i < BATCH; i++)
        {
            requests[i] = new BlockRequest(null).set(i % 2 == 0 ? BlockOp.READ : BlockOp.WRITE, 0, i, i * 4096L, 4096,
                System.nanoTime());
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int poll()
    {
        gate.refreshCosts(true);
        for (final BlockRequest request : requests)
        {
            gate.waiting(request);
        }
        gate.begin(System.nanoTime());
        int admitted = 0;
        for (final BlockRequest request : requests)
        {
            if (gate.admit(request))
            {
                admitted++;
            }
            else
            {
                gate.force(request);
            }
        }
        gate.end(0, 0);
        return admitted;
    }

    public static void main(final String[] args) throws RunnerException
    {
        ProfiledRun.run(AdmissionBenchmark.class, args);
    }
}
