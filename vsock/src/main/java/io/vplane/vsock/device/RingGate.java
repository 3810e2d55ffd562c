package io.vplane.vsock.device;

import io.vplane.engine.errors.ErrorLog;
import io.vplane.engine.wakeup.EpollSet;
import io.vplane.virtio.memory.GuestMemory;
import io.vplane.virtio.vhostuser.VhostUserSession;
import io.vplane.virtio.virtq.SplitVirtQueue;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;

/**
 * Hands the device's running virtqueues from the vhost-user control thread to the worker and back.
 * A Dekker handshake on two volatiles: the worker makes {@code visits} odd before it reads a ring,
 * the control thread clears the ring before it reads {@code visits}; seeing it odd it waits for
 * the visit to end. So after {@link #detach} no worker touches the ring, and only then is its kick
 * fd taken out of the wake set and its hold on guest memory dropped. A worker stuck past the
 * timeout keeps the memory mapped for good (logged): never unmapped under a running worker.
 */
final class RingGate
{
    private static final long DETACH_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(2);

    private final String device;
    private final ErrorLog errors;
    private final EpollSet wakeSet;
    private final AtomicReferenceArray<SplitVirtQueue> rings;
    private final java.util.concurrent.atomic.AtomicIntegerArray kickFds;
    private volatile long visits;
    /** Rings the worker found broken; they read as stopped until attached again. */
    private final java.util.concurrent.atomic.AtomicInteger brokenMask = new java.util.concurrent.atomic.AtomicInteger();

    RingGate(final String device, final int ringCount, final ErrorLog errors, final EpollSet wakeSet)
    {
        this.device = device;
        this.errors = errors;
        this.wakeSet = wakeSet;
        this.rings = new AtomicReferenceArray<>(ringCount);
        this.kickFds = new java.util.concurrent.atomic.AtomicIntegerArray(ringCount);
        for (int i = 0; i < ringCount; i++)
        {
            kickFds.set(i, -1);
        }
    }

    /** Worker: begins a visit; the rings read until {@link #exit()} stay mapped. */
    void enter()
    {
        visits = visits + 1;
    }

    void exit()
    {
        visits = visits + 1;
    }

    /** Worker, inside a visit: the running ring at {@code index}, or null. */
    SplitVirtQueue ring(final int index)
    {
        return (brokenMask.get() & 1 << index) != 0 ? null : rings.get(index);
    }

    /** Worker: the driver broke this ring; it stays stopped until the frontend sets it up again. */
    void breakRing(final int index)
    {
        int mask;
        do
        {
            mask = brokenMask.get();
        }
        while (!brokenMask.compareAndSet(mask, mask | 1 << index));
    }

    /** Any ring broken (virtio DEVICE_NEEDS_RESET). */
    boolean anyBroken()
    {
        return brokenMask.get() != 0;
    }

    /** Worker, inside a visit: whether {@code fd} is the kick fd of a running ring. */
    boolean isKick(final int fd)
    {
        for (int i = 0; i < kickFds.length(); i++)
        {
            if (fd >= 0 && kickFds.get(i) == fd)
            {
                return true;
            }
        }
        return false;
    }

    /** Control thread: the ring runs from now on; the bell makes a sleeping worker look. */
    boolean attach(final int index, final SplitVirtQueue queue, final int kickFd)
    {
        if (!queue.memory().retain())
        {
            return false;
        }
        if (kickFd >= 0 && wakeSet.add(kickFd) == 0)
        {
            kickFds.set(index, kickFd);
        }
        rings.set(index, queue);
        int mask;
        do
        {
            mask = brokenMask.get();
        }
        while (!brokenMask.compareAndSet(mask, mask & ~(1 << index)));
        wakeSet.ringBell();
        return true;
    }

    /** Control thread: takes the ring back once no worker is inside it. */
    SplitVirtQueue detach(final int index)
    {
        final SplitVirtQueue queue = rings.getAndSet(index, null);
        if (null == queue)
        {
            return null;
        }
        if (!awaitVisitEnded())
        {
            errors.record(VhostUserSession.COMPONENT, "detach-timeout", device + " vring " + index +
                ": worker still inside after 2 s; its guest memory stays mapped");
            dropKick(index);
            return queue;
        }
        dropKick(index);
        final GuestMemory memory = queue.memory();
        memory.release();
        return queue;
    }

    private void dropKick(final int index)
    {
        final int fd = kickFds.getAndSet(index, -1);
        if (fd >= 0)
        {
            wakeSet.remove(fd);
        }
    }

    private boolean awaitVisitEnded()
    {
        final long seen = visits;
        if ((seen & 1) == 0)
        {
            return true;
        }
        final long deadline = System.nanoTime() + DETACH_TIMEOUT_NS;
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
}
