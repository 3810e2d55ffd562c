package io.vplane.blockstore.qos;

import io.vplane.blockstore.request.BlockOp;
import io.vplane.engine.counters.Counters;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The slice scheduler on a simulated clock and a simulated device: the worker polls every 100 µs,
 * slices are 10 ms, and the figures are taken over 100 slices after one second of warm-up.
 */
class SliceSchedulerTest
{
    private static final long POLL_NS = 100_000;
    private static final long SECOND_NS = 1_000_000_000L;
    private static final int KIB_64 = 64 * 1024;
    private static final long MB = 1_000_000;

    private final Counters counters = Counters.inMemory(4096);
    private long nowNs = 1_000_000_000_000L;

    private SliceScheduler scheduler(final long capacityBytesPerSec)
    {
        return paced(capacityBytesPerSec, SchedulerSettings.PACE_STEPS);
    }

    private SliceScheduler paced(final long capacityBytesPerSec, final int paceSteps)
    {
        return new SliceScheduler(new SchedulerSettings(10, 0, capacityBytesPerSec, QosCosts.DEFAULTS, paceSteps), nowNs);
    }

    private QueueGate gate(final SliceScheduler scheduler, final String name, final DiskQos qos)
    {
        return scheduler.register(name, "t", qos, 1, counters).gate(0);
    }

    private static DiskQos qos(final long readIops, final long writeBytesPerSec, final long reservationBytesPerSec,
        final int weight)
    {
        return new DiskQos(readIops, 0, 0, writeBytesPerSec, 0, 0, reservationBytesPerSec, weight);
    }

    /** Warms up one second, then runs one more (100 slices) and leaves its figures in the disks. */
    private void run(final List<SimulatedDisk> disks)
    {
        for (int phase = 0; phase < 2; phase++)
        {
            disks.forEach(SimulatedDisk::reset);
            for (long t = 0; t < SECOND_NS; t += POLL_NS)
            {
                nowNs += POLL_NS;
                disks.forEach(disk -> disk.poll(nowNs));
            }
        }
    }

    @Test
    void shouldHoldAWriteBandwidthLimitWithinTwoPercentOverOneHundredSlices()
    {
        final SliceScheduler scheduler = scheduler(0);
        final SimulatedDisk limited = SimulatedDisk.flooding(gate(scheduler, "a", qos(0, 20 * MB, 0, 100)), BlockOp.WRITE, KIB_64);

        run(List.of(limited));

        assertThat((double)limited.admittedBytes).isCloseTo(20.0 * MB, within(0.02 * 20 * MB));
    }

    @Test
    void shouldHoldAnIopsLimitWithinTwoPercentAndLeaveWritesAlone()
    {
        final SliceScheduler scheduler = scheduler(0);
        final QueueGate gate = gate(scheduler, "a", qos(2_000, 0, 0, 100));
        final SimulatedDisk reads = SimulatedDisk.flooding(gate, BlockOp.READ, 4096);

        run(List.of(reads));

        assertThat((double)reads.admittedRequests).isCloseTo(2_000.0, within(0.02 * 2_000));
    }

    @Test
    void shouldCountALargeReadAsOneOperationPerIopsSize()
    {
        final SliceScheduler scheduler = scheduler(0);
        final SimulatedDisk reads = SimulatedDisk.flooding(gate(scheduler, "a", qos(2_000, 0, 0, 100)), BlockOp.READ, 1 << 20);

        run(List.of(reads));

        // 1 MiB = 8 operations of 128 KiB (QEMU's iops-size)
        assertThat((double)reads.admittedRequests).isCloseTo(250.0, within(0.02 * 250));
    }

    @Test
    void shouldMeetAReservationWhenANeighbourFloods()
    {
        final SliceScheduler scheduler = scheduler(100 * MB);
        final SimulatedDisk reserved = SimulatedDisk.flooding(gate(scheduler, "a", qos(0, 0, 60 * MB, 1)), BlockOp.WRITE, KIB_64);
        final SimulatedDisk noisy = SimulatedDisk.flooding(gate(scheduler, "b", qos(0, 0, 0, 1000)), BlockOp.WRITE, KIB_64);

        run(List.of(reserved, noisy));

        assertThat((double)reserved.admittedBytes).isGreaterThanOrEqualTo(0.98 * 60 * MB);
        assertThat((double)(reserved.admittedBytes + noisy.admittedBytes)).isCloseTo(100.0 * MB, within(0.02 * 100 * MB));
    }

    @Test
    void shouldShareTheSpareCapacityByWeight()
    {
        final SliceScheduler scheduler = scheduler(100 * MB);
        final SimulatedDisk light = SimulatedDisk.flooding(gate(scheduler, "a", qos(0, 0, 0, 100)), BlockOp.WRITE, KIB_64);
        final SimulatedDisk heavy = SimulatedDisk.flooding(gate(scheduler, "b", qos(0, 0, 0, 300)), BlockOp.WRITE, KIB_64);

        run(List.of(light, heavy));

        final double total = light.admittedBytes + heavy.admittedBytes;
        assertThat(total).isCloseTo(100.0 * MB, within(0.02 * 100 * MB));
        assertThat(light.admittedBytes / total).isCloseTo(0.25, within(0.02));
    }

    @Test
    void shouldGiveAnIdleDisksShareToTheBusyOne()
    {
        final SliceScheduler scheduler = scheduler(100 * MB);
        final SimulatedDisk idle = SimulatedDisk.idle(gate(scheduler, "a", qos(0, 0, 0, 100)));
        final SimulatedDisk busy = SimulatedDisk.flooding(gate(scheduler, "b", qos(0, 0, 0, 100)), BlockOp.WRITE, KIB_64);

        run(List.of(idle, busy));

        assertThat((double)busy.admittedBytes).isCloseTo(100.0 * MB, within(0.02 * 100 * MB));
    }

    @Test
    void shouldKeepTheReservedDisksQueueingDelayBoundedWhileANeighbourFloods()
    {
        final SliceScheduler scheduler = scheduler(100 * MB);
        // 10 MB/s offered (64 KiB every 6.5 ms), 20 MB/s reserved; the neighbour asks for everything.
        final SimulatedDisk quiet = SimulatedDisk.steady(gate(scheduler, "a", qos(0, 0, 20 * MB, 100)), BlockOp.WRITE, KIB_64,
            6_553_600);
        final SimulatedDisk noisy = SimulatedDisk.flooding(gate(scheduler, "b", qos(0, 0, 0, 100)), BlockOp.WRITE, KIB_64);

        run(List.of(quiet, noisy));

        assertThat(quiet.admittedRequests).isBetween(150L, 154L); // everything it sent
        assertThat(quiet.p99WaitNs()).isLessThanOrEqualTo(20_000_000L); // two slices
        assertThat((double)(quiet.admittedBytes + noisy.admittedBytes)).isCloseTo(100.0 * MB, within(0.02 * 100 * MB));
    }

    @Test
    void shouldChargeFlushTrimAndZeroesByTheirConfiguredCosts()
    {
        final SliceScheduler scheduler = scheduler(0);
        final SimulatedDisk trims = SimulatedDisk.flooding(gate(scheduler, "a", qos(0, 10 * MB, 0, 100)), BlockOp.TRIM, 64 << 20);

        run(List.of(trims));

        // A TRIM of 64 MiB costs 1% of it, 671088 bytes: 10 MB/s lets about 15 a second through, not unlimited.
        assertThat((double)trims.admittedRequests).isCloseTo(10.0 * MB / 671_088, within(0.5));
    }

    @Test
    void shouldSpreadAThrottledDisksGrantOverTheSliceInsteadOfOneBurst()
    {
        // 200 MB/s of 64 KiB writes: about 30 requests per 10 ms slice
        final SimulatedDisk burst = SimulatedDisk.flooding(gate(paced(0, 1), "a", qos(0, 200 * MB, 0, 100)), BlockOp.WRITE, KIB_64);
        final SimulatedDisk spread = SimulatedDisk.flooding(gate(paced(0, 4), "b", qos(0, 200 * MB, 0, 100)), BlockOp.WRITE, KIB_64);

        run(List.of(burst, spread));

        assertThat(burst.mostAdmittedWithin(2_000_000)).isGreaterThanOrEqualTo(29);
        // four steps 2.5 ms apart: a 2 ms window sees one step, a quarter of the grant
        assertThat(spread.mostAdmittedWithin(2_000_000)).isLessThanOrEqualTo(9);
        assertThat((double)spread.admittedBytes).isCloseTo(200.0 * MB, within(0.02 * 200 * MB));
    }

    @Test
    void shouldNotPaceADiskWhoseGrantCoversWhatItWaitsFor()
    {
        final SliceScheduler scheduler = scheduler(0);
        // 10 MB/s offered, limited to 200 MB/s: every request goes on the poll it arrives in
        final SimulatedDisk light = SimulatedDisk.steady(gate(scheduler, "a", qos(0, 200 * MB, 0, 100)), BlockOp.WRITE, KIB_64,
            6_553_600);

        run(List.of(light));

        assertThat(light.p99WaitNs()).isLessThanOrEqualTo(POLL_NS);
    }
}
