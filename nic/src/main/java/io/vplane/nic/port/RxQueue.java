package io.vplane.nic.port;

import io.vplane.engine.errors.ErrorLog;
import io.vplane.virtio.virtq.SplitVirtQueue;

/**
 * A receive virtqueue (vplane to guest). With a {@link FrameSource} it fills every receive buffer
 * the guest offers with generated frames, up to {@code limit} per burst, with one release store of
 * the used index and at most one call per burst. Without one it is fed by its pair's transmit
 * queue (loopback), on that queue's worker, or stays idle.
 */
final class RxQueue extends NetQueue
{
    private final QueueCounters counters;
    private final FrameSource source;
    private final GuestRxWriter writer;

    RxQueue(final String port, final int index, final ErrorLog errors, final QueueCounters counters,
        final FrameSource source, final GuestRxWriter writer)
    {
        super(port, index, errors, counters.ringErrors);
        this.counters = counters;
        this.source = source;
        this.writer = writer;
    }

    @Override
    public int poll(final int limit)
    {
        // a fed or idle receive queue has no work of its own: its ring belongs to the feeder
        return null == source ? 0 : pollOwned(limit);
    }

    /** A source fills the guest's buffers itself: a kick (new receive buffers) is work for it. */
    @Override
    protected boolean pollsOwnRing()
    {
        return null != source;
    }

    @Override
    protected boolean paused()
    {
        return quiesced;
    }

    @Override
    protected int process(final SplitVirtQueue queue, final int limit)
    {
        if (quiesced)
        {
            return 0;
        }
        int pending = queue.available();
        if (pending < 0)
        {
            ringBroken("avail", SplitVirtQueue.describeError(pending));
            return 0;
        }
        int frames = 0;
        int tooBig = 0;
        while (frames < limit && pending > 0)
        {
            final int rc = writer.deliver(queue, queue.chain(), source, pending, mergeable);
            if (rc == GuestRxWriter.DELIVERED)
            {
                pending -= writer.headsTaken();
                frames++;
            }
            else if (rc == GuestRxWriter.NO_BUFFERS)
            {
                break;
            }
            else if (rc == GuestRxWriter.ERR_FRAME_TOO_BIG || rc == GuestRxWriter.ERR_TOO_MANY_BUFFERS)
            {
                tooBig++;
                break;
            }
            else
            {
                ringBroken("chain", GuestRxWriter.describeError(rc));
                break;
            }
        }
        delivered(queue, frames, (long)frames * source.frameLength(), 0, tooBig);
        return frames;
    }

    /** Publishes and counts what a burst put into this ring (called by whichever worker fed it). */
    void delivered(final SplitVirtQueue queue, final int frames, final long bytes, final int noBuffer, final int tooBig)
    {
        if (frames > 0)
        {
            queue.publishUsed();
            if (queue.notifyIfWanted())
            {
                counters.calls.incrementRelease();
            }
            counters.frames.getAndAddRelease(frames);
            counters.bytes.getAndAddRelease(bytes);
        }
        if (noBuffer > 0)
        {
            counters.noBufferDrops.getAndAddRelease(noBuffer);
        }
        if (tooBig > 0)
        {
            counters.tooBigDrops.getAndAddRelease(tooBig);
        }
    }
}
