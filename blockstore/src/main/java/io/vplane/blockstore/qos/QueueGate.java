package io.vplane.blockstore.qos;

import io.vplane.blockstore.request.BlockRequest;
import org.agrona.concurrent.status.AtomicCounter;

import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Admission of one disk queue's requests, on the worker that runs the queue: whether the request
 * at the head of the wait queue may go to the pending queue now. It spends the budget the slice
 * scheduler granted this queue for the slice; past it, it may take what its disk's limit and the
 * device still have spare (work-conserving). Everything the worker touches per request is its own
 * (plain fields, release stores of what the scheduler reads), so admission takes no lock and
 * allocates nothing; the shared counters of the spare are touched only once the grant is spent.
 */
public final class QueueGate
{
    /** A claim past the grant takes enough for this many requests like the one at hand. */
    private static final int CLAIM_REQUESTS = 16;
    private final DiskFlow flow;
    private final SliceScheduler scheduler;
    /** Worker-owned: what this queue may still admit in the current slice, by {@link QosDimension}; may go below 0 (debt). */
    private final long[] budget = new long[QosDimension.COUNT];
    private final long[] waitingLocal = new long[QosDimension.COUNT];
    private final long[] consumedLocal = new long[QosDimension.COUNT];
    /** Published for the scheduler: the cost of the requests waiting, and of all admitted so far. */
    final AtomicLongArray waiting = new AtomicLongArray(QosDimension.COUNT);
    final AtomicLongArray consumed = new AtomicLongArray(QosDimension.COUNT);
    /** Written by the scheduler under {@link #grantSequence} (odd while writing), read by the worker. */
    final AtomicLongArray grant = new AtomicLongArray(QosDimension.COUNT);
    final AtomicLong grantSequence = new AtomicLong();
    /** Written with the grant: it holds the queue below what it waited for then (so it is paced). */
    volatile boolean grantThrottled;
    private long seenSequence;
    /**
     * Pacing of a throttled queue's grant: released in equal steps over the slice instead of all at
     * its start, so a disk held to its limit sends its requests spread out, not in one burst that
     * the other disks' requests queue behind. A queue whose grant covers all it waits for gets it at once.
     */
    private final long[] sliceGrant = new long[QosDimension.COUNT];
    private final long[] released = new long[QosDimension.COUNT];
    private int paceSteps = 1;
    private int stepsReleased = 1;
    private long paceStartNs;
    private long paceStepNs;
    private final AtomicCounter waitingGauge;
    private final AtomicCounter pendingGauge;
    /** Set by {@link #begin} once per poll. */
    private long nowNs;
    private QosCosts costs = QosCosts.DEFAULTS;
    private boolean unscheduled;
    /** This poll's admissions, added to the disk's counters once per poll. */
    private long admittedLocal;
    private long delayedLocal;
    private long waitedNsLocal;
    /** The head request last refused, so that a request is counted as delayed once. */
    private BlockRequest refused;

    QueueGate(final DiskFlow flow, final SliceScheduler scheduler, final AtomicCounter waitingGauge,
        final AtomicCounter pendingGauge)
    {
        this.flow = flow;
        this.scheduler = scheduler;
        this.waitingGauge = waitingGauge;
        this.pendingGauge = pendingGauge;
    }

    /**
     * Worker, before taking new requests into the wait queue: new costs apply once it is empty, so
     * the waiting cost stays the sum of what its requests were charged.
     */
    public void refreshCosts(final boolean nothingWaiting)
    {
        final QosCosts next = scheduler.settings().costs();
        if (nothingWaiting && costs != next)
        {
            costs = next;
            for (int i = 0; i < QosDimension.COUNT; i++)
            {
                waitingLocal[i] = 0;
                waiting.setRelease(i, 0);
            }
        }
    }

    /** Worker, once per poll, after new requests entered the wait queue: moves the slice on when due and takes up a new grant. */
    public void begin(final long now)
    {
        nowNs = now;
        scheduler.tick(now);
        unscheduled = !scheduler.settings().shared() && !flow.qos().limited();
        takeGrant();
        if (stepsReleased < paceSteps)
        {
            releaseDueSteps();
        }
    }

    /** A request entered the wait queue. */
    public void waiting(final BlockRequest request)
    {
        charge(waitingLocal, waiting, request, 1);
    }

    /**
     * Whether the request may go to the pending queue now; if so it is charged.
     * Call with the wait queue's head, after {@link #begin}.
     */
    public boolean admit(final BlockRequest request)
    {
        final boolean write = QosCosts.isWrite(request);
        final int opsDim = QosDimension.ops(write);
        final int bytesDim = QosDimension.bytes(write);
        final long ops = costs.ops(request);
        final long bytes = costs.bytes(request);
        if (!unscheduled && (budget[opsDim] <= 0 && !claim(opsDim, ops) ||
            bytes > 0 && budget[bytesDim] <= 0 && !claim(bytesDim, bytes)))
        {
            if (refused != request)
            {
                refused = request;
                delayedLocal++;
            }
            return false;
        }
        refused = null;
        force(request);
        return true;
    }

    /** Admits the request whatever the budget says (it must not wait: see the disk queue's service change). */
    public void force(final BlockRequest request)
    {
        final boolean write = QosCosts.isWrite(request);
        budget[QosDimension.ops(write)] -= costs.ops(request);
        budget[QosDimension.bytes(write)] -= costs.bytes(request);
        charge(waitingLocal, waiting, request, -1);
        charge(consumedLocal, consumed, request, 1);
        admittedLocal++;
        waitedNsLocal += Math.max(0, nowNs - request.receivedNs());
    }

    /** An admitted request goes back to the wait queue (backend upgrade): its charge is undone. */
    public void readmit(final BlockRequest request)
    {
        final boolean write = QosCosts.isWrite(request);
        budget[QosDimension.ops(write)] += costs.ops(request);
        budget[QosDimension.bytes(write)] += costs.bytes(request);
        charge(consumedLocal, consumed, request, -1);
        charge(waitingLocal, waiting, request, 1);
    }

    /** Worker, at the end of a poll: the poll's admissions into the disk's counters (shared by its queues), and the queue depths. */
    public void end(final int waitingRequests, final int pendingRequests)
    {
        if (0 != admittedLocal)
        {
            flow.admitted.getAndAdd(admittedLocal);
            flow.waitedUs.getAndAdd(waitedNsLocal / 1000);
            admittedLocal = 0;
            waitedNsLocal = 0;
        }
        if (0 != delayedLocal)
        {
            flow.delayed.getAndAdd(delayedLocal);
            delayedLocal = 0;
        }
        waitingGauge.setRelease(waitingRequests);
        pendingGauge.setRelease(pendingRequests);
    }

    /** The budget left in one dimension this slice (tests). */
    long budget(final int dimension)
    {
        return budget[dimension];
    }

    void close()
    {
        waitingGauge.close();
        pendingGauge.close();
    }

    /**
     * Past the grant: takes from the disk's unused limit and the device's unused capacity, if both
     * have some, enough for {@value #CLAIM_REQUESTS} such requests at once (or what is left), so
     * the shared counters are touched once per several requests. What a queue claims and does not
     * use is not charged: the scheduler charges what was admitted.
     */
    private boolean claim(final int dimension, final long amount)
    {
        final AtomicLong headroom = flow.headroom[dimension];
        final AtomicLong spare = scheduler.spare(dimension);
        final long limitLeft = headroom.get();
        final long deviceLeft = spare.get();
        if (limitLeft <= 0 || deviceLeft <= 0)
        {
            return false;
        }
        final long take = Math.max(amount, Math.min(amount * CLAIM_REQUESTS, Math.min(limitLeft, deviceLeft)));
        headroom.getAndAdd(-take);
        if (deviceLeft < SliceScheduler.UNLIMITED / 2)
        {
            spare.getAndAdd(-take);
        }
        budget[dimension] += take;
        return true;
    }

    private void charge(final long[] local, final AtomicLongArray published, final BlockRequest request, final int sign)
    {
        final boolean write = QosCosts.isWrite(request);
        final int opsDim = QosDimension.ops(write);
        final int bytesDim = QosDimension.bytes(write);
        local[opsDim] += sign * costs.ops(request);
        local[bytesDim] += sign * costs.bytes(request);
        published.setRelease(opsDim, local[opsDim]);
        published.setRelease(bytesDim, local[bytesDim]);
    }

    /** Seqlock read of the scheduler's grant: the scheduler never waits, a torn read is retried next poll. */
    private void takeGrant()
    {
        final long sequence = grantSequence.getAcquire();
        if (sequence == seenSequence || 0 != (sequence & 1))
        {
            return;
        }
        final long readOps = grant.getAcquire(QosDimension.READ_OPS);
        final long writeOps = grant.getAcquire(QosDimension.WRITE_OPS);
        final long readBytes = grant.getAcquire(QosDimension.READ_BYTES);
        final long writeBytes = grant.getAcquire(QosDimension.WRITE_BYTES);
        final boolean throttled = grantThrottled;
        VarHandle.loadLoadFence();
        if (grantSequence.getAcquire() != sequence)
        {
            return;
        }
        sliceGrant[QosDimension.READ_OPS] = readOps;
        sliceGrant[QosDimension.WRITE_OPS] = writeOps;
        sliceGrant[QosDimension.READ_BYTES] = readBytes;
        sliceGrant[QosDimension.WRITE_BYTES] = writeBytes;
        seenSequence = sequence;
        startPacing(throttled);
    }

    /** A new grant: all of it now, or its first step when the grant holds the queue below what it waits for. */
    private void startPacing(final boolean throttled)
    {
        final SchedulerSettings settings = scheduler.settings();
        paceSteps = throttled ? settings.paceSteps() : 1;
        paceStepNs = Math.max(1, settings.sliceMs() * 1_000_000L / paceSteps);
        paceStartNs = nowNs;
        stepsReleased = 1;
        for (int d = 0; d < QosDimension.COUNT; d++)
        {
            // The debt of the last slice is already charged to the disk's tokens by the scheduler.
            released[d] = sliceGrant[d] / paceSteps;
            budget[d] = released[d];
        }
    }

    /** Adds the grant's steps whose time has come; runs only while a paced grant is being released. */
    private void releaseDueSteps()
    {
        final int due = (int)Math.min(paceSteps, 1 + (nowNs - paceStartNs) / paceStepNs);
        if (due <= stepsReleased)
        {
            return;
        }
        stepsReleased = due;
        for (int d = 0; d < QosDimension.COUNT; d++)
        {
            final long target = due == paceSteps ? sliceGrant[d] : sliceGrant[d] / paceSteps * due;
            budget[d] += target - released[d];
            released[d] = target;
        }
    }
}
