package io.vplane.engine.loopback;

import io.vplane.engine.device.DeviceQueue;
import io.vplane.engine.device.QueueWakeup;
import io.vplane.engine.device.RequestLatency;
import io.vplane.engine.errors.ErrorLog;
import io.vplane.engine.ring.DescriptorHandler;
import io.vplane.engine.ring.DescriptorRing;
import io.vplane.engine.wakeup.Doorbell;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * One loopback queue: a ring the generator fills with consecutive sequence numbers, and a
 * consumer that expects exactly the next one each time. A gap, a repeat or a swap is an order error.
 */
public final class LoopbackQueue implements DeviceQueue, DescriptorHandler
{
    private final String device;
    private final int index;
    private final DescriptorRing ring;
    /** The generator's side of the ring (see {@link DescriptorRing#producer()}). */
    private final OneToOneRingBuffer producer;
    private final Doorbell doorbell;
    private final AtomicCounter generated;
    private final AtomicCounter orderErrors;
    private final ErrorLog errors;
    private final long requestCostNs;
    /**
     * Offer time per sequence number, in a slot of its own for twice the ring's capacity: the ring
     * holds at most its capacity, so a slot is written again only after its request was served.
     * The ring's commit publishes the slot with the descriptor.
     */
    private final long[] offeredNs;
    private final int offeredMask;
    private final RequestLatency latency = new RequestLatency();
    private long nextToOffer;
    private long expected;
    private volatile long consumed;

    LoopbackQueue(
        final String device,
        final int index,
        final int ringSize,
        final long requestCostNs,
        final AtomicCounter generated,
        final AtomicCounter orderErrors,
        final ErrorLog errors)
    {
        this.device = device;
        this.index = index;
        this.ring = new DescriptorRing(ringSize, this);
        this.producer = ring.producer();
        this.doorbell = new Doorbell(ring::size);
        this.generated = generated;
        this.orderErrors = orderErrors;
        this.errors = errors;
        this.requestCostNs = requestCostNs;
        this.offeredNs = new long[2 * ring.capacity()];
        this.offeredMask = offeredNs.length - 1;
    }

    @Override
    public int index()
    {
        return index;
    }

    /** Generator side, {@code nowNs} the time of the burst. @return false when the ring is full */
    boolean offerNext(final long nowNs)
    {
        offeredNs[(int)nextToOffer & offeredMask] = nowNs;
        if (!DescriptorRing.offer(producer, nextToOffer))
        {
            return false;
        }
        nextToOffer++;
        generated.incrementRelease();
        return true;
    }

    @Override
    public int poll(final int limit)
    {
        final int taken = ring.drain(limit);
        if (taken > 0)
        {
            consumed += taken;
        }
        return taken;
    }

    @Override
    public void onDescriptor(final long sequence)
    {
        if (sequence != expected)
        {
            orderErrors.incrementRelease();
            errors.record("loopback", "order", device + "/" + index + ": expected sequence " + expected + ", got " + sequence);
        }
        expected = sequence + 1;
        if (requestCostNs > 0)
        {
            burn(requestCostNs);
        }
        latency.record(System.nanoTime() - offeredNs[(int)sequence & offeredMask]);
    }

    /** Busy-waits, as a device's own work on a request would keep the worker busy. */
    private static void burn(final long ns)
    {
        final long until = System.nanoTime() + ns;
        while (System.nanoTime() - until < 0)
        {
            Thread.onSpinWait();
        }
    }

    @Override
    public long backlog()
    {
        return ring.size();
    }

    @Override
    public RequestLatency latency()
    {
        return latency;
    }

    @Override
    public QueueWakeup wakeup()
    {
        return doorbell;
    }

    /** Generator side, after a burst: wakes a worker that sleeps on this queue. */
    void ring()
    {
        doorbell.ring();
    }

    /** Requests generated so far; read from any thread. */
    public long generated()
    {
        return generated.get();
    }

    /** Requests consumed so far; read from any thread. */
    public long consumed()
    {
        return consumed;
    }

    public long orderErrors()
    {
        return orderErrors.get();
    }

    void close()
    {
        generated.close();
        orderErrors.close();
        doorbell.close();
    }
}
