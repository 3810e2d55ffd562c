package io.vplane.blockstore.qos;

import io.vplane.engine.counters.Counters;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Shares the storage among disks one time slice at a time. At each slice boundary the first blk
 * worker to notice it computes, for every disk, what its waiting requests ask (their cost, by
 * {@link QosDimension}), caps that by the disk's limits (token buckets refilled by the elapsed
 * time, holding one slice plus the burst, debt carried over), shares the device capacity by
 * {@link WaterFill} (reservation, then weight, unused shares going to the others), and hands each
 * disk queue its grant through a seqlock; what the limits and the capacity leave unused stays
 * claimable during the slice, for requests that arrive meanwhile. Workers that lose the race to
 * compute go on at once: no worker ever waits for another, and the per-request path
 * ({@link QueueGate}) touches only its own queue's state.
 */
public final class SliceScheduler
{
    /** Stands for "no limit" in budgets; far from overflow when added up. */
    static final long UNLIMITED = Long.MAX_VALUE / 4;
    /** Refill after a long quiet spell counts at most this long, so no bucket overflows. */
    private static final long MAX_ELAPSED_NS = 10_000_000_000L;

    private volatile SchedulerSettings settings;
    private volatile Table table = new Table(new DiskFlow[0]);
    private final AtomicBoolean computing = new AtomicBoolean();
    private volatile long nextSliceNs;
    /** The computing worker's own state, handed from one computation to the next through {@link #computing}. */
    private long lastSliceNs;
    private long deviceOpsTokens;
    private long deviceBytesTokens;
    private final long[] deviceCharged = new long[QosDimension.COUNT];
    private final AtomicLong spareOps = new AtomicLong(UNLIMITED);
    private final AtomicLong spareBytes = new AtomicLong(UNLIMITED);
    private final AtomicLong slices = new AtomicLong();

    public SliceScheduler(final SchedulerSettings settings, final long startNs)
    {
        this.settings = settings;
        this.lastSliceNs = startNs;
        this.nextSliceNs = startNs;
    }

    public SchedulerSettings settings()
    {
        return settings;
    }

    /** Live change of the slice, capacity or costs; the next slice applies it. */
    public void configure(final SchedulerSettings next)
    {
        settings = next;
    }

    /** Adds a disk; control thread. */
    public synchronized DiskFlow register(
        final String disk, final String tenant, final DiskQos qos, final int queues, final Counters counters)
    {
        final DiskFlow flow = new DiskFlow(disk, tenant, qos, queues, this, counters);
        final DiskFlow[] flows = Arrays.copyOf(table.flows, table.flows.length + 1);
        flows[flows.length - 1] = flow;
        table = new Table(flows);
        return flow;
    }

    /** Removes a disk (its queues are unbound); control thread. */
    public synchronized void unregister(final DiskFlow flow)
    {
        table = new Table(Arrays.stream(table.flows).filter(f -> f != flow).toArray(DiskFlow[]::new));
    }

    /** Slices computed so far. */
    public long slices()
    {
        return slices.get();
    }

    AtomicLong spare(final int dimension)
    {
        return QosDimension.READ_OPS == dimension || QosDimension.WRITE_OPS == dimension ? spareOps : spareBytes;
    }

    /** Any worker, once per poll: computes the next slice when it is due and nobody else is at it. */
    public void tick(final long nowNs)
    {
        if (nowNs - nextSliceNs < 0 || !computing.compareAndSet(false, true))
        {
            return;
        }
        try
        {
            if (nowNs - nextSliceNs >= 0)
            {
                final SchedulerSettings current = settings;
                final long sliceNs = current.sliceMs() * 1_000_000L;
                compute(current, sliceNs, Math.min(MAX_ELAPSED_NS, nowNs - lastSliceNs));
                lastSliceNs = nowNs;
                nextSliceNs = nowNs + sliceNs;
                slices.getAndIncrement();
            }
        }
        finally
        {
            computing.set(false);
        }
    }

    private void compute(final SchedulerSettings current, final long sliceNs, final long elapsedNs)
    {
        final Table t = table;
        final int n = t.flows.length;
        final long[] consumedNow = t.consumedNow;
        long deviceOpsUsed = 0;
        long deviceBytesUsed = 0;
        for (int i = 0; i < n; i++)
        {
            final DiskFlow flow = t.flows[i];
            final DiskQos qos = flow.qos();
            for (int d = 0; d < QosDimension.COUNT; d++)
            {
                long used = 0;
                long asked = 0;
                for (int g = 0; g < flow.queues(); g++)
                {
                    used += flow.gate(g).consumed.getAcquire(d);
                    asked += Math.max(0, flow.gate(g).waiting.getAcquire(d));
                }
                final long delta = used - flow.charged[d];
                flow.charged[d] = used;
                consumedNow[d] = delta;
                final long rate = qos.limit(d);
                if (rate > 0)
                {
                    final long cap = perNs(rate, sliceNs + qos.burstMs() * 1_000_000L);
                    final long base = flow.tokens[d] >= UNLIMITED ? cap : flow.tokens[d];
                    flow.tokens[d] = Math.min(cap, base + perNs(rate, elapsedNs) - delta);
                }
                else
                {
                    flow.tokens[d] = UNLIMITED;
                }
                t.demand[d][i] = asked;
                t.effective[d][i] = Math.min(asked, Math.max(0, flow.tokens[d]));
            }
            deviceOpsUsed += consumedNow[QosDimension.READ_OPS] + consumedNow[QosDimension.WRITE_OPS];
            deviceBytesUsed += consumedNow[QosDimension.READ_BYTES] + consumedNow[QosDimension.WRITE_BYTES];
            t.opsAsked[i] = t.effective[QosDimension.READ_OPS][i] + t.effective[QosDimension.WRITE_OPS][i];
            t.bytesAsked[i] = t.effective[QosDimension.READ_BYTES][i] + t.effective[QosDimension.WRITE_BYTES][i];
            t.opsReserved[i] = perNs(qos.reservationIops(), sliceNs);
            t.bytesReserved[i] = perNs(qos.reservationBytesPerSec(), sliceNs);
            t.weights[i] = Math.max(1, qos.weight());
        }
        spareOps.setRelease(shareDevice(current.capacityIops(), sliceNs, elapsedNs, deviceOpsUsed, true, t, n));
        spareBytes.setRelease(shareDevice(current.capacityBytesPerSec(), sliceNs, elapsedNs, deviceBytesUsed, false, t, n));
        for (int i = 0; i < n; i++)
        {
            grant(t, i, sliceNs);
        }
    }

    /**
     * Shares one device resource (operations or bytes) among the disks' asks into {@code t.opsShare}
     * or {@code t.bytesShare}. @return what is left for arrivals during the slice
     */
    private long shareDevice(final long capacity, final long sliceNs, final long elapsedNs, final long used,
        final boolean ops, final Table t, final int n)
    {
        final long[] asked = ops ? t.opsAsked : t.bytesAsked;
        final long[] share = ops ? t.opsShare : t.bytesShare;
        if (capacity <= 0)
        {
            System.arraycopy(asked, 0, share, 0, n);
            return UNLIMITED;
        }
        final long cap = perNs(capacity, sliceNs);
        long tokens = ops ? deviceOpsTokens : deviceBytesTokens;
        tokens = Math.min(cap, (0 == slices.get() ? cap : tokens) + perNs(capacity, elapsedNs) - used);
        if (ops)
        {
            deviceOpsTokens = tokens;
        }
        else
        {
            deviceBytesTokens = tokens;
        }
        return WaterFill.share(Math.max(0, tokens), asked, ops ? t.opsReserved : t.bytesReserved, t.weights, n, share);
    }

    /** Splits a disk's shares over its directions and queues, and publishes them with its headroom. */
    private static void grant(final Table t, final int i, final long sliceNs)
    {
        final DiskFlow flow = t.flows[i];
        long grantedOps = 0;
        long grantedBytes = 0;
        for (int d = 0; d < QosDimension.COUNT; d++)
        {
            final boolean opsDim = QosDimension.READ_OPS == d || QosDimension.WRITE_OPS == d;
            final long asked = opsDim ? t.opsAsked[i] : t.bytesAsked[i];
            final long share = opsDim ? t.opsShare[i] : t.bytesShare[i];
            final long granted = asked <= 0 ? 0 : WaterFill.scale(t.effective[d][i], share, asked);
            t.granted[d] = granted;
            flow.headroom[d].setRelease(Math.max(0, flow.tokens[d] - granted));
            if (opsDim)
            {
                grantedOps += granted;
            }
            else
            {
                grantedBytes += granted;
            }
        }
        for (int g = 0; g < flow.queues(); g++)
        {
            final QueueGate gate = flow.gate(g);
            final long sequence = gate.grantSequence.get() + 1;
            gate.grantSequence.setRelease(sequence); // odd: being written
            boolean throttled = false;
            for (int d = 0; d < QosDimension.COUNT; d++)
            {
                final long asked = t.demand[d][i];
                final long own = Math.max(0, gate.waiting.getAcquire(d));
                final long granted = asked <= 0 ? 0 : WaterFill.scale(t.granted[d], own, asked);
                gate.grant.setRelease(d, granted);
                throttled |= granted < own;
            }
            gate.grantThrottled = throttled;
            gate.grantSequence.setRelease(sequence + 1);
        }
        flow.grantedIops.setRelease(WaterFill.scale(grantedOps, 1_000_000_000L, sliceNs));
        flow.grantedBytesPerSec.setRelease(WaterFill.scale(grantedBytes, 1_000_000_000L, sliceNs));
    }

    /** rate per second over {@code nanos}. */
    private static long perNs(final long ratePerSec, final long nanos)
    {
        return WaterFill.scale(ratePerSec, nanos, 1_000_000_000L);
    }

    /** The disks and the computation's scratch arrays, replaced together when a disk comes or goes. */
    private static final class Table
    {
        final DiskFlow[] flows;
        final long[] consumedNow = new long[QosDimension.COUNT];
        final long[][] demand;
        final long[][] effective;
        final long[] granted = new long[QosDimension.COUNT];
        final long[] opsAsked;
        final long[] bytesAsked;
        final long[] opsReserved;
        final long[] bytesReserved;
        final long[] weights;
        final long[] opsShare;
        final long[] bytesShare;

        Table(final DiskFlow[] flows)
        {
            this.flows = flows;
            final int n = flows.length;
            demand = new long[QosDimension.COUNT][n];
            effective = new long[QosDimension.COUNT][n];
            opsAsked = new long[n];
            bytesAsked = new long[n];
            opsReserved = new long[n];
            bytesReserved = new long[n];
            weights = new long[n];
            opsShare = new long[n];
            bytesShare = new long[n];
        }
    }
}
