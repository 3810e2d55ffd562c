package io.vplane.nic.port;

import io.vplane.engine.errors.ErrorLog;
import io.vplane.virtio.virtq.DescriptorChain;
import io.vplane.virtio.virtq.SplitVirtQueue;

import java.lang.foreign.ValueLayout;

/**
 * A transmit virtqueue (guest to vplane). Each burst takes up to {@code limit} chains, reads every
 * frame (its length, and its first bytes, so guest memory is really touched), hands it to the sink
 * or loops it back into the same pair's receive ring, and returns all chains to the used ring with
 * one release store and at most one call.
 */
final class TxQueue extends NetQueue
{
    private final QueueCounters counters;
    private final RxQueue loopbackTarget;
    private final GuestRxWriter writer;
    private final ChainFrame chainFrame = new ChainFrame();
    /** Folds the frames' first bytes, so the read cannot be optimised away. */
    private long touched;

    TxQueue(
        final String port,
        final int index,
        final ErrorLog errors,
        final QueueCounters counters,
        final RxQueue loopbackTarget,
        final GuestRxWriter writer)
    {
        super(port, index, errors, counters.ringErrors);
        this.counters = counters;
        this.loopbackTarget = loopbackTarget;
        this.writer = writer;
    }

    @Override
    protected boolean pollsOwnRing()
    {
        return true;
    }

    @Override
    protected int process(final SplitVirtQueue queue, final int limit)
    {
        final int pending = queue.available();
        if (pending < 0)
        {
            ringBroken("avail", SplitVirtQueue.describeError(pending));
            return 0;
        }
        final int burst = Math.min(pending, limit);
        if (burst == 0)
        {
            return 0;
        }
        SplitVirtQueue rx = null;
        int rxPending = 0;
        if (null != loopbackTarget)
        {
            // enter before reading quiesced: a quiesce waits for this visit to end (NetQueue)
            rx = loopbackTarget.enterForeign();
            if (loopbackTarget.quiesced)
            {
                rx = null;
            }
            if (null != rx)
            {
                rxPending = rx.available();
                if (rxPending < 0)
                {
                    loopbackTarget.ringBroken("avail", SplitVirtQueue.describeError(rxPending));
                    rx = null;
                }
            }
        }
        final SplitVirtQueue rxRing = rx;
        try
        {
            final DescriptorChain chain = queue.chain();
            long bytes = 0;
            int done = 0;
            int shortFrames = 0;
            int looped = 0;
            long loopedBytes = 0;
            int noBuffer = 0;
            int tooBig = 0;
            int quiescedDrops = 0;
            while (done < burst)
            {
                final int head = queue.takeHead();
                final int rc = queue.walk(head, chain);
                if (rc < 0)
                {
                    ringBroken("chain", SplitVirtQueue.describeError(rc) + " at head " + head);
                    break;
                }
                done++;
                final long length = chain.totalLength() - VirtioNet.HEADER_SIZE;
                if (length <= 0)
                {
                    shortFrames++;
                }
                else
                {
                    bytes += length;
                    if (chain.length(0) > 0)
                    {
                        touched += chain.segment(0).get(ValueLayout.JAVA_BYTE, chain.offset(0));
                    }
                    if (null != loopbackTarget)
                    {
                        if (null == rx)
                        {
                            if (loopbackTarget.quiesced)
                            {
                                quiescedDrops++;
                            }
                            else
                            {
                                noBuffer++;
                            }
                        }
                        else if (length > ChainFrame.MAX_LENGTH)
                        {
                            tooBig++;
                        }
                        else
                        {
                            final int delivered = writer.deliver(rx, rx.chain(), chainFrame.wrap(chain), rxPending, loopbackTarget.mergeable);
                            if (delivered == GuestRxWriter.DELIVERED)
                            {
                                rxPending -= writer.headsTaken();
                                looped++;
                                loopedBytes += length;
                            }
                            else if (delivered == GuestRxWriter.NO_BUFFERS)
                            {
                                noBuffer++;
                            }
                            else if (delivered == GuestRxWriter.ERR_FRAME_TOO_BIG || delivered == GuestRxWriter.ERR_TOO_MANY_BUFFERS)
                            {
                                tooBig++;
                            }
                            else
                            {
                                loopbackTarget.ringBroken("chain", GuestRxWriter.describeError(delivered));
                                rx = null;
                                noBuffer++;
                            }
                        }
                    }
                }
                queue.addUsed(head, 0);
            }
            if (done > 0)
            {
                queue.publishUsed();
                if (queue.notifyIfWanted())
                {
                    counters.calls.incrementRelease();
                }
                counters.frames.getAndAddRelease(done - shortFrames);
                counters.bytes.getAndAddRelease(bytes);
                if (shortFrames > 0)
                {
                    counters.shortDrops.getAndAddRelease(shortFrames);
                }
                if (quiescedDrops > 0)
                {
                    counters.quiescedDrops.getAndAddRelease(quiescedDrops);
                }
                if (null == loopbackTarget)
                {
                    counters.sinkDrops.getAndAddRelease(done - shortFrames);
                }
                else
                {
                    loopbackTarget.delivered(rxRing, looped, loopedBytes, noBuffer, tooBig);
                }
            }
            return done;
        }
        finally
        {
            if (null != loopbackTarget)
            {
                loopbackTarget.exitForeign();
            }
        }
    }

    /**
     * Takes what the driver made available before the ring stopped (GET_VRING_BASE, disable, remap,
     * disconnect), so that every frame the guest counted as sent is counted here too and the base
     * handed back covers it.
     */
    @Override
    protected void onDetached(final SplitVirtQueue queue)
    {
        process(queue, queue.size());
    }

    long touched()
    {
        return touched;
    }
}
