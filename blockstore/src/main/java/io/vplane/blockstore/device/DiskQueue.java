package io.vplane.blockstore.device;

import io.vplane.blockstore.qos.QueueGate;
import io.vplane.blockstore.qos.RequestRing;
import io.vplane.blockstore.request.BlockQueue;
import io.vplane.blockstore.request.BlockRequest;
import io.vplane.engine.device.DeviceQueue;
import io.vplane.engine.device.QueueWakeup;
import io.vplane.engine.wakeup.Doorbell;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * One queue of a disk: front ends (event loops of all connections assigned to it) offer requests
 * into its inbox; the one blk worker running the queue's group moves them through
 *
 * <pre>
 * inbox (MPSC) ─▶ wait queue ─[QoS admission]─▶ pending queue ─[backend room]─▶ service (RequestExecutor)
 * </pre>
 *
 * The inbox is Agrona's ManyToOneConcurrentArrayQueue: many producers, one consumer, preallocated,
 * lock-free, full reported rather than blocking, so an event loop never waits on a disk. The wait
 * and pending queues are the worker's own rings. To replace the service (a backend upgrade), the
 * control thread asks the queue to stop: the worker stops forwarding, puts the pending requests
 * back at the head of the wait queue in their order, lets the requests already at the old backend
 * complete, and says it has stopped; the control thread then hands it the new service and it
 * resumes. Requests keep coming into the wait queue meanwhile; clients see latency, not errors.
 */
final class DiskQueue implements DeviceQueue, BlockQueue
{
    private static final int RUNNING = 0;
    private static final int STOPPING = 1;
    private static final int STOPPED = 2;

    private final int index;
    private final ManyToOneConcurrentArrayQueue<BlockRequest> requests;
    private final RequestRing waiting;
    private final RequestRing pending;
    private final QueueGate gate;
    private final Doorbell doorbell;
    private final Consumer<BlockRequest> intake = this::intake;
    /** Read by the worker every poll, replaced by it when an upgrade hands over {@link #replacement}. */
    private volatile RequestExecutor executor;
    /** Control thread → worker: stop forwarding; then the service to resume with. */
    private volatile boolean stopAsked;
    private volatile RequestExecutor replacement;
    /** Worker → control thread: where the worker is in the hand-over. */
    private volatile int phase = RUNNING;
    /** Ring sizes for threads other than the worker (drain and upgrade waits). */
    private volatile int waitingSeen;
    private volatile int pendingSeen;
    private long requeued;
    /**
     * The hand-over of WRITEs whose data is on the socket: front ends between {@link #tryLend} and
     * the offer, such requests offered, and those the worker forwarded to its service (whose
     * accept receives the data before it returns). A change of service waits until all three agree,
     * so none reaches a service that cannot receive from sockets, nor the old one after its flush.
     */
    private final AtomicInteger lending = new AtomicInteger();
    private final AtomicLong lentOffered = new AtomicLong();
    private volatile long lentForwarded;
    /** Requests completed, counted by whichever service runs (the poll's count also has the requests taken in). */
    private final AtomicLong completed = new AtomicLong();

    DiskQueue(final int index, final int capacity, final RequestExecutor executor, final QueueGate gate)
    {
        this.index = index;
        this.requests = new ManyToOneConcurrentArrayQueue<>(capacity);
        this.waiting = new RequestRing(capacity);
        this.pending = new RequestRing(capacity);
        this.gate = gate;
        this.executor = executor;
        this.doorbell = new Doorbell(this::waitingWork);
        executor.serves(doorbell, completed);
    }

    /**
     * What the worker would find on waking: requests it may take in, pending ones the service has
     * room for, remote completions, an upgrade step. Requests held back by QoS do not count: the
     * worker sleeps and looks again after at most the pool's longest park.
     */
    private long waitingWork()
    {
        final RequestExecutor service = executor;
        final boolean forwarding = RUNNING == phase && !stopAsked;
        final boolean changeStep = stopAsked ?
            RUNNING == phase || STOPPING == phase && 0 == service.pendingBacklog() || STOPPED == phase && null != replacement :
            RUNNING != phase;
        return (waiting.free() > 0 ? requests.size() : 0) + (forwarding && service.room(1) > 0 ? pending.size() : 0) +
            service.remoteCompletionsWaiting() + service.slicedWaiting() + (changeStep ? 1 : 0);
    }

    @Override
    public int index()
    {
        return index;
    }

    @Override
    public boolean offer(final BlockRequest request)
    {
        final boolean lent = request.socketBytes() > 0; // read first: once offered, the request is the worker's
        if (!requests.offer(request))
        {
            return false;
        }
        if (lent)
        {
            lentOffered.incrementAndGet();
            lending.decrementAndGet();
        }
        return true;
    }

    @Override
    public boolean tryLend()
    {
        lending.incrementAndGet();
        // after the increment: a control thread that asked to stop either sees it or is seen here
        if (!stopAsked && executor.receivesFromSockets())
        {
            return true;
        }
        lending.decrementAndGet();
        return false;
    }

    @Override
    public void lendCancelled()
    {
        lending.decrementAndGet();
    }

    @Override
    public void wake()
    {
        doorbell.ring(); // wakes a parked blk worker; costs a fence and a load when none sleeps
    }

    /** Not while a service change is under way: a lent socket must reach the backend it was lent for. */
    @Override
    public boolean receivesFromSockets()
    {
        return !stopAsked && executor.receivesFromSockets();
    }

    /**
     * Replies of the whole drain are handed to their event loops together: one wakeup per batch.
     *
     * @return the work done: requests taken in plus those forwarded to or completed by the service
     * (a request counts more than once, so the worker keeps polling while requests move through;
     * {@link #completed} counts each once)
     */
    @Override
    public int poll(final int limit)
    {
        final RequestExecutor service = executor;
        int done = service.drainCompletions() + service.continueSliced();
        gate.refreshCosts(waiting.isEmpty());
        final int room = Math.min(limit, waiting.free());
        final int taken = room > 0 ? requests.drain(intake, room) : 0;
        gate.begin(System.nanoTime());
        if (RUNNING == phase && !stopAsked)
        {
            while (pending.size() < limit && !waiting.isEmpty() && gate.admit(waiting.peekFirst()))
            {
                pending.addLast(waiting.pollFirst());
            }
            done += forward(service, Math.min(pending.size(), service.room(limit)));
        }
        else
        {
            done += changeService(service);
        }
        waitingSeen = waiting.size();
        pendingSeen = pending.size();
        gate.end(waitingSeen, pendingSeen);
        if (done + taken > 0)
        {
            service.publishReplies();
        }
        return done + taken;
    }

    private void intake(final BlockRequest request)
    {
        waiting.addLast(request);
        gate.waiting(request);
    }

    private int forward(final RequestExecutor service, final int count)
    {
        for (int i = 0; i < count; i++)
        {
            accept(service, pending.pollFirst());
        }
        return count;
    }

    private void accept(final RequestExecutor service, final BlockRequest request)
    {
        final boolean lent = request.socketBytes() > 0;
        service.accept(request);
        if (lent)
        {
            lentForwarded++; // the worker's alone; volatile so the control thread sees it after the data went in
        }
    }

    /** Worker: one step of a service change. @return requests it completed or forwarded */
    private int changeService(final RequestExecutor service)
    {
        if (RUNNING == phase)
        {
            // Admitted but not forwarded: back to the head of the wait queue, in their order.
            while (!pending.isEmpty())
            {
                final BlockRequest request = pending.pollLast();
                gate.readmit(request);
                waiting.addFirst(request);
                requeued++;
            }
            phase = STOPPING;
        }
        final int forwarded = forwardLentSockets(service);
        if (!stopAsked && null == replacement)
        {
            phase = RUNNING; // the change was called off: go on with the same service
            return forwarded;
        }
        if (STOPPING == phase && 0 == service.pendingBacklog())
        {
            phase = STOPPED; // nothing of this queue is at the old backend any more
        }
        final RequestExecutor next = replacement;
        if (STOPPED == phase && null != next)
        {
            executor = next;
            replacement = null;
            stopAsked = false;
            phase = RUNNING;
        }
        return forwarded;
    }

    /**
     * A WRITE that came with its data still on the client's socket holds that socket; it goes to
     * the old service, which receives the data, rather than wait for one that may not receive from
     * sockets. NBD leaves the order of requests in flight to the server; a FLUSH covers only the
     * writes completed before it was sent, which these were not.
     */
    private int forwardLentSockets(final RequestExecutor service)
    {
        int forwarded = 0;
        for (int i = waiting.size(); i > 0; i--)
        {
            final BlockRequest request = waiting.pollFirst();
            if (request.socketBytes() > 0 && service.receivesFromSockets())
            {
                gate.force(request);
                accept(service, request);
                forwarded++;
            }
            else
            {
                waiting.addLast(request);
            }
        }
        return forwarded;
    }

    @Override
    public long completed()
    {
        return completed.get();
    }

    @Override
    public long backlog()
    {
        return requests.size() + waitingSeen + pendingSeen + executor.pendingBacklog();
    }

    @Override
    public QueueWakeup wakeup()
    {
        return doorbell;
    }

    /** Control thread: stop forwarding to the service, for a change of service. */
    void askStop()
    {
        executor.wakeWhenIdle(); // before the ask: the worker that sees it also sees the last completion wake it
        stopAsked = true;
        doorbell.ring();
    }

    /**
     * Control thread: whether the worker has stopped, nothing of this queue is at the old service,
     * and every WRITE lent its socket reached the old service (none can be lent any more).
     */
    boolean stopped()
    {
        return STOPPED == phase && 0 == lending.get() && lentOffered.get() == lentForwarded;
    }

    /** Control thread: resume with {@code next} (after {@link #stopped()}). */
    void resumeWith(final RequestExecutor next)
    {
        next.serves(doorbell, completed);
        replacement = next;
        doorbell.ring();
    }

    /** Control thread: call off a change before {@link #resumeWith}; the worker goes on with its service. */
    void cancelStop()
    {
        stopAsked = false;
        doorbell.ring();
    }

    /** Control thread: whether the worker runs with the service last handed over. */
    boolean resumed()
    {
        return RUNNING == phase && !stopAsked && null == replacement;
    }

    /** Requests the last changes put back from the pending to the wait queue; the worker's count, read after {@link #resumed()}. */
    long requeued()
    {
        return requeued;
    }

    RequestExecutor executor()
    {
        return executor;
    }

    void close()
    {
        executor.close();
        doorbell.close();
    }
}
