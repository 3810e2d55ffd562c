package io.vplane.nic.port;

import io.vplane.engine.device.DeviceQueue;
import io.vplane.engine.errors.ErrorLog;
import io.vplane.nic.vhostuser.VhostUserSession;
import io.vplane.nic.virtq.SplitVirtQueue;
import org.agrona.concurrent.status.AtomicCounter;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One virtqueue of a port as an engine queue. The control thread attaches a running ring and
 * detaches it again; the worker polls it. Handover is a Dekker handshake on two volatiles: the
 * worker raises {@code polling} before it reads {@code ring}, the control thread clears
 * {@code ring} before it reads {@code polling}, so after {@link #detach()} no worker touches the
 * ring (and its memory may be unmapped).
 */
abstract class NetQueue implements DeviceQueue
{
    private static final long DETACH_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(2);

    protected final String port;
    protected final int index;
    protected final ErrorLog errors;
    protected final AtomicCounter ringErrors;
    private volatile SplitVirtQueue ring;
    private volatile boolean polling;
    /** Set by the worker when the driver broke the ring; cleared by the next attach. */
    private volatile boolean broken;
    /** The port stopped feeding the guest (drain before close): nothing new goes into rx rings. */
    protected volatile boolean quiesced;
    /** MRG_RXBUF negotiated; written before {@code ring} is published, read after it is. */
    protected boolean mergeable;

    NetQueue(final String port, final int index, final ErrorLog errors, final AtomicCounter ringErrors)
    {
        this.port = port;
        this.index = index;
        this.errors = errors;
        this.ringErrors = ringErrors;
    }

    @Override
    public final int index()
    {
        return index;
    }

    /** Guest rings are not counted as backlog: a drain must not wait for a guest that keeps sending. */
    @Override
    public long backlog()
    {
        return 0;
    }

    @Override
    public int poll(final int limit)
    {
        return pollOwned(limit);
    }

    /** The engine's poll, for queues that drive their own ring. */
    protected final int pollOwned(final int limit)
    {
        polling = true;
        try
        {
            final SplitVirtQueue queue = ring;
            if (null == queue || broken)
            {
                return 0;
            }
            return process(queue, limit);
        }
        catch (final RuntimeException ex)
        {
            // e.g. memory unmapped under a late access: the ring is unusable until re-attached
            ringBroken("access", ex.toString());
            return 0;
        }
        finally
        {
            polling = false;
        }
    }

    /** Takes up to {@code limit} entries from a running ring. */
    protected abstract int process(SplitVirtQueue queue, int limit);

    /** Control thread: hands a running ring to the data path. */
    final void attach(final SplitVirtQueue queue, final boolean mergeableBuffers)
    {
        mergeable = mergeableBuffers;
        broken = false;
        ring = queue;
    }

    /** Control thread: takes the ring back, waiting until the worker is out of it. */
    final SplitVirtQueue detach()
    {
        final SplitVirtQueue queue = ring;
        ring = null;
        final long deadline = System.nanoTime() + DETACH_TIMEOUT_NS;
        while (polling)
        {
            if (System.nanoTime() - deadline > 0)
            {
                errors.record(VhostUserSession.COMPONENT, "detach-timeout", port + "/" + index +
                    ": worker still polling after 2 s; memory is unmapped under it (accesses fail safely)");
                return queue;
            }
            LockSupport.parkNanos(10_000);
        }
        if (null != queue && !broken)
        {
            try
            {
                // the worker is out: this thread owns the ring until it is attached again
                onDetached(queue);
            }
            catch (final RuntimeException ex)
            {
                ringBroken("access", ex.toString());
            }
        }
        return queue;
    }

    /** Control thread, after {@link #detach()} took the ring from the worker: a last look at it. */
    protected void onDetached(final SplitVirtQueue queue)
    {
    }

    /** For a queue that another queue's worker drives (loopback rx): the same handshake, by that worker. */
    final SplitVirtQueue enterForeign()
    {
        polling = true;
        final SplitVirtQueue queue = ring;
        return null == queue || broken ? null : queue;
    }

    final void exitForeign()
    {
        polling = false;
    }

    final void quiesce()
    {
        quiesced = true;
    }

    final boolean isBroken()
    {
        return broken;
    }

    final void ringBroken(final String kind, final String detail)
    {
        broken = true;
        ringErrors.incrementRelease();
        errors.record(VhostUserSession.COMPONENT, "ring-" + kind, port + " vring " + index + ": " + detail +
            "; vring stopped until the frontend sets it up again");
    }
}
