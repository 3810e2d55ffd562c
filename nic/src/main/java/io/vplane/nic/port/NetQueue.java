package io.vplane.nic.port;

import io.vplane.engine.device.DeviceQueue;
import io.vplane.engine.device.QueueWakeup;
import io.vplane.engine.errors.ErrorLog;
import io.vplane.engine.linux.Errno;
import io.vplane.engine.ordering.FieldHandles;
import io.vplane.virtio.memory.GuestMemory;
import io.vplane.virtio.vhostuser.VhostUserSession;
import io.vplane.virtio.virtq.RingWakeup;
import io.vplane.virtio.virtq.SplitVirtQueue;
import org.agrona.concurrent.status.AtomicCounter;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One virtqueue of a port as an engine queue. The control thread attaches a running ring and
 * detaches it again; the worker polls it. Handover is a Dekker handshake on two volatiles: the
 * worker makes {@code visits} odd (it entered) before it reads {@code ring} or {@code quiesced},
 * the control thread clears {@code ring} (or raises {@code quiesced}) before it reads
 * {@code visits}. Seeing it even, no worker is inside; seeing it odd, it waits until the value
 * changes (that visit ended), so after {@link #detach()} no worker touches the ring, and after
 * {@link #quiesce()} no frame enters the guest any more. An attached ring holds a reference on its
 * guest memory ({@link GuestMemory#retain()}) that detach drops only once the worker is out; when a
 * worker is still inside after the timeout, its next entry drops it: guest memory is never
 * unmapped under a worker, whatever the frontend does meanwhile (remap, disconnect).
 * <p>
 * Sleeping (the engine's {@link QueueWakeup}): a queue that polls its own ring lets an idle worker
 * sleep until the driver kicks. Before the worker sleeps it asks for kicks (clears NO_NOTIFY, or
 * with EVENT_IDX sets avail_event to the next entry) and looks at the avail index once more, as a
 * buffer made available before the driver saw the request sends no kick (virtio 1.2 §2.7.10);
 * after waking it suppresses kicks again while it polls. A fed queue (loopback, switch or idle
 * receive queue) has no work of its own: its feeder's queue wakes the feeder. A switched transmit
 * queue's kicks wake the vSwitch's worker, which drives that ring ({@link #kickWakeup()}).
 */
abstract class NetQueue implements DeviceQueue
{
    private static final long DETACH_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(2);
    private static final VarHandle VISITS = FieldHandles.of(MethodHandles.lookup(), "visits", long.class);
    private static final VarHandle UNMAP_ON_ENTRY = FieldHandles.of(MethodHandles.lookup(), "unmapOnEntry", GuestMemory.class);

    protected final String port;
    protected final int index;
    protected final ErrorLog errors;
    protected final AtomicCounter ringErrors;
    private volatile SplitVirtQueue ring;
    /** Odd while a worker is inside the ring; written by that worker only. */
    private volatile long visits;
    /**
     * Guest memory of a ring detached while a worker was still inside it: its reference is dropped
     * (and the memory unmapped, if it was the last) by whichever side sees the worker out first.
     */
    private volatile GuestMemory unmapOnEntry;
    /** Set by the worker when the driver broke the ring; cleared by the next attach. */
    private volatile boolean broken;
    /** The port stopped feeding the guest (drain before close): nothing new goes into rx rings. */
    protected volatile boolean quiesced;
    /** MRG_RXBUF negotiated; written before {@code ring} is published, read after it is. */
    protected boolean mergeable;
    private final KickWakeup kicks = new KickWakeup();
    private final QueueWakeup kickWakeup = new RingWakeup(kicks.eventFd(), this::armKicks, this::disarmKicks);

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

    @Override
    public QueueWakeup wakeup()
    {
        return kickWakeup;
    }

    /**
     * The wakeup on this ring's kicks, for the one thread that drives the ring: the engine's worker
     * of this queue ({@link #wakeup()}), or the vSwitch's worker for a switched queue.
     */
    final QueueWakeup kickWakeup()
    {
        return kickWakeup;
    }

    /**
     * Whether the thread that waits on this queue's kicks is the one that drives its ring (so a
     * kick means work for it); false for a queue another queue's worker feeds (loopback receive,
     * switch receive, idle), whose kicks nobody waits on. Fixed for the life of the queue.
     */
    protected boolean pollsOwnRing()
    {
        return false;
    }

    /** True while this queue has no work even with buffers available (a quiesced source). */
    protected boolean paused()
    {
        return false;
    }

    /** Worker, before it sleeps: asks the driver to kick; false when work is already waiting. */
    private boolean armKicks()
    {
        if (!pollsOwnRing() || paused())
        {
            return true;
        }
        enter();
        try
        {
            final SplitVirtQueue queue = ring;
            if (null == queue || broken)
            {
                return true;
            }
            queue.enableKicks();
            // look again after the request is visible (enableKicks fences): an entry published before
            // the driver read it sends no kick; an error is work too (the next poll reports it)
            return queue.available() == 0;
        }
        catch (final Throwable ex)
        {
            ringBroken("access", ex.toString());
            return true;
        }
        finally
        {
            exit();
        }
    }

    /** Worker, after it slept (or chose not to): back to polling without kicks; consumes the kick. */
    private void disarmKicks()
    {
        if (!pollsOwnRing())
        {
            // no kick fd in the set, and another worker may be inside the ring: only the bell
            kicks.consume();
            return;
        }
        enter();
        try
        {
            final SplitVirtQueue queue = ring;
            if (null != queue && !broken)
            {
                queue.suppressKicks();
            }
            if (!kicks.consume())
            {
                errors.record(VhostUserSession.COMPONENT, "kick-fd", port + " vring " + index +
                    ": the kick fd cannot be read as an eventfd; the queue wakes only on the worker's timeout");
            }
        }
        catch (final Throwable ex)
        {
            ringBroken("access", ex.toString());
        }
        finally
        {
            exit();
        }
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
        enter();
        try
        {
            final SplitVirtQueue queue = ring;
            if (null == queue || broken)
            {
                return 0;
            }
            return process(queue, limit);
        }
        catch (final Throwable ex)
        {
            // e.g. memory unmapped under a late access, or the frontend shrank the file behind it
            // (SIGBUS, which the JVM raises as InternalError): the ring is unusable until re-attached,
            // the worker and the other devices on it go on
            ringBroken("access", ex.toString());
            return 0;
        }
        finally
        {
            exit();
        }
    }

    private void enter()
    {
        // volatile store: the entry is visible before this worker reads ring or quiesced (Dekker)
        visits = visits + 1;
        if (null != unmapOnEntry)
        {
            // this worker left the ring whose detach timed out: its memory may go now
            releaseUnmapOnEntry();
        }
    }

    private void releaseUnmapOnEntry()
    {
        final GuestMemory memory = (GuestMemory)UNMAP_ON_ENTRY.getAndSet(this, (GuestMemory)null);
        if (null != memory)
        {
            memory.release();
        }
    }

    private void exit()
    {
        VISITS.setRelease(this, visits + 1);
    }

    /**
     * Control side: returns once no visit that may have begun before the caller's last volatile
     * store is still inside (or the timeout passed).
     *
     * @return false on timeout
     */
    private boolean awaitVisitEnded(final long timeoutNs)
    {
        final long seen = visits;
        if ((seen & 1) == 0)
        {
            return true;
        }
        final long deadline = System.nanoTime() + timeoutNs;
        while (visits == seen)
        {
            if (System.nanoTime() - deadline > 0)
            {
                return false;
            }
            LockSupport.parkNanos(10_000);
        }
        return true;
    }

    /**
     * From any thread: heads the driver made available that this queue has not taken, its ring
     * size, or -1 each when no ring runs. For drains and tests; approximate while a worker polls.
     */
    final long untakenAndSize()
    {
        final SplitVirtQueue queue = ring;
        try
        {
            return null == queue ? -1 : (long)queue.untaken() << 32 | queue.size();
        }
        catch (final Throwable ex)
        {
            // outside a visit: the ring may just have been detached and unmapped, or its file shrunk
            return -1;
        }
    }

    /** Takes up to {@code limit} entries from a running ring. */
    protected abstract int process(SplitVirtQueue queue, int limit);

    /** Control thread: hands a running ring to the data path. */
    final void attach(final SplitVirtQueue queue, final boolean mergeableBuffers, final int kickFd)
    {
        if (!queue.memory().retain())
        {
            ringBroken("attach", "guest memory is unmapped already");
            return;
        }
        mergeable = mergeableBuffers;
        broken = false;
        ring = queue;
        // after the ring is published: the bell wakes a sleeping worker to look at it; only the
        // thread that drives the ring waits on its kicks
        final int rc = kicks.attachKick(pollsOwnRing() ? kickFd : -1);
        if (rc < 0)
        {
            errors.record(VhostUserSession.COMPONENT, "kick-fd", port + " vring " + index + ": kick fd " + kickFd +
                " cannot be waited on (" + Errno.describe(-rc) + "); the queue wakes only on the worker's timeout");
        }
    }

    /** Control thread: takes the ring back, waiting until the worker is out of it. */
    final SplitVirtQueue detach()
    {
        final SplitVirtQueue queue = ring;
        ring = null;
        if (!awaitVisitEnded(DETACH_TIMEOUT_NS))
        {
            errors.record(VhostUserSession.COMPONENT, "detach-timeout", port + "/" + index +
                ": worker still inside the ring after 2 s; its guest memory stays mapped until the worker leaves");
            kicks.detachKick();
            if (null != queue)
            {
                unmapWhenWorkerLeaves(queue.memory());
            }
            return queue;
        }
        // the worker is out, so it reads the kick fd no more: the frontend's fd may be closed now
        kicks.detachKick();
        if (null != queue && !broken)
        {
            try
            {
                // the worker is out: this thread owns the ring until it is attached again
                onDetached(queue);
            }
            catch (final Throwable ex)
            {
                ringBroken("access", ex.toString());
            }
        }
        if (null != queue)
        {
            // the worker confirmed it is out (visits): the ring's hold on the memory ends here
            queue.memory().release();
        }
        return queue;
    }

    /**
     * Control thread, the worker still inside: the worker's next entry drops the ring's reference
     * on {@code memory}, or this thread does when it sees the worker gone already (Dekker on
     * {@code unmapOnEntry} and {@code visits}, both volatile).
     */
    private void unmapWhenWorkerLeaves(final GuestMemory memory)
    {
        if (!UNMAP_ON_ENTRY.compareAndSet(this, (GuestMemory)null, memory))
        {
            // a second ring detached while the first visit still has not ended: keep it mapped for good
            errors.record(VhostUserSession.COMPONENT, "detach-leak", port + "/" + index +
                ": worker stuck inside an earlier ring; this ring's guest memory stays mapped");
            return;
        }
        if ((visits & 1) == 0)
        {
            releaseUnmapOnEntry();
        }
    }

    /** Control thread, after {@link #detach()} took the ring from the worker: a last look at it. */
    protected void onDetached(final SplitVirtQueue queue)
    {
    }

    /** For a queue that another queue's worker drives (loopback rx): the same handshake, by that worker. */
    final SplitVirtQueue enterForeign()
    {
        enter();
        final SplitVirtQueue queue = ring;
        return null == queue || broken ? null : queue;
    }

    final void exitForeign()
    {
        exit();
    }

    /**
     * Stops feeding the guest through this queue and returns once a burst that was already under
     * way has ended, so the frames counted into the guest are final (bounded by the detach timeout).
     */
    final void quiesce()
    {
        quiesced = true;
        awaitVisitEnded(DETACH_TIMEOUT_NS);
    }

    /**
     * Feeds the guest again after {@link #quiesce()}; the bell wakes a worker that slept while the
     * queue was paused (it asked for no kicks then).
     */
    final void resume()
    {
        quiesced = false;
        kicks.ringBell();
    }

    /** After the port stopped every ring: frees the wakeup's fds. */
    final void close()
    {
        // the queue is unbound: no worker enters it again
        releaseUnmapOnEntry();
        kicks.close();
        closeWakeups();
    }

    /** Frees what a subclass added to its wakeup. */
    void closeWakeups()
    {
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
