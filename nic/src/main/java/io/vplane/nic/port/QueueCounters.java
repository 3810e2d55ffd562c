package io.vplane.nic.port;

import io.vplane.engine.counters.Counters;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * The counters of one virtqueue. Guest tx is what the guest sent (vplane received), guest rx what
 * vplane put into the guest's receive buffers. Updated once per burst by the queue's worker.
 */
final class QueueCounters implements AutoCloseable
{
    static final String FRAMES = "vplane_vhost_frames_total";
    static final String BYTES = "vplane_vhost_bytes_total";
    static final String DROPS = "vplane_vhost_drops_total";
    static final String RING_ERRORS = "vplane_vhost_ring_errors_total";
    static final String CALLS = "vplane_vhost_calls_total";

    final AtomicCounter frames;
    final AtomicCounter bytes;
    final AtomicCounter sinkDrops;
    final AtomicCounter shortDrops;
    final AtomicCounter noBufferDrops;
    final AtomicCounter tooBigDrops;
    final AtomicCounter quiescedDrops;
    final AtomicCounter ringErrors;
    final AtomicCounter calls;

    QueueCounters(final Counters counters, final String port, final int queue)
    {
        final String index = Integer.toString(queue);
        final String direction = VirtioNet.isReceiveQueue(queue) ? "guest_rx" : "guest_tx";
        frames = counters.counter(FRAMES, "port", port, "queue", index, "dir", direction);
        bytes = counters.counter(BYTES, "port", port, "queue", index, "dir", direction);
        sinkDrops = counters.counter(DROPS, "port", port, "queue", index, "reason", "sink");
        shortDrops = counters.counter(DROPS, "port", port, "queue", index, "reason", "short_frame");
        noBufferDrops = counters.counter(DROPS, "port", port, "queue", index, "reason", "no_rx_buffer");
        tooBigDrops = counters.counter(DROPS, "port", port, "queue", index, "reason", "frame_too_big");
        quiescedDrops = counters.counter(DROPS, "port", port, "queue", index, "reason", "quiesced");
        ringErrors = counters.counter(RING_ERRORS, "port", port, "queue", index);
        calls = counters.counter(CALLS, "port", port, "queue", index);
    }

    @Override
    public void close()
    {
        frames.close();
        bytes.close();
        sinkDrops.close();
        shortDrops.close();
        noBufferDrops.close();
        tooBigDrops.close();
        quiescedDrops.close();
        ringErrors.close();
        calls.close();
    }
}
