package io.vplane.nic.vswitch;

import io.vplane.engine.counters.Counters;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * Per-port counters. The switch thread adds into plain fields per frame and publishes them once per
 * burst with {@link #flush()}: one release store per changed counter, not one per frame.
 */
final class PortCounters implements AutoCloseable
{
    private static final DropReason[] REASONS = DropReason.values();

    private final AtomicCounter rxFramesCounter;
    private final AtomicCounter rxBytesCounter;
    private final AtomicCounter txFramesCounter;
    private final AtomicCounter txBytesCounter;
    private final AtomicCounter[] dropCounters = new AtomicCounter[REASONS.length];
    long rxFrames;
    long rxBytes;
    long txFrames;
    long txBytes;
    final long[] drops = new long[REASONS.length];

    PortCounters(final Counters counters, final String switchName, final String port)
    {
        rxFramesCounter = counters.counter(VswitchMetrics.PORT_RX_FRAMES_TOTAL, "switch", switchName, "port", port);
        rxBytesCounter = counters.counter(VswitchMetrics.PORT_RX_BYTES_TOTAL, "switch", switchName, "port", port);
        txFramesCounter = counters.counter(VswitchMetrics.PORT_TX_FRAMES_TOTAL, "switch", switchName, "port", port);
        txBytesCounter = counters.counter(VswitchMetrics.PORT_TX_BYTES_TOTAL, "switch", switchName, "port", port);
        for (final DropReason reason : REASONS)
        {
            dropCounters[reason.ordinal()] = counters.counter(
                VswitchMetrics.PORT_DROPS_TOTAL, "switch", switchName, "port", port, "reason", reason.label());
        }
    }

    void flush()
    {
        rxFrames = publish(rxFramesCounter, rxFrames);
        rxBytes = publish(rxBytesCounter, rxBytes);
        txFrames = publish(txFramesCounter, txFrames);
        txBytes = publish(txBytesCounter, txBytes);
        for (int i = 0; i < drops.length; i++)
        {
            drops[i] = publish(dropCounters[i], drops[i]);
        }
    }

    /** Single writer: a plain read and a release store are enough for readers in other processes. */
    static long publish(final AtomicCounter counter, final long delta)
    {
        if (delta != 0)
        {
            counter.setRelease(counter.getPlain() + delta);
        }
        return 0;
    }

    long drops(final DropReason reason)
    {
        return dropCounters[reason.ordinal()].get();
    }

    long rxFramesTotal()
    {
        return rxFramesCounter.get();
    }

    long txFramesTotal()
    {
        return txFramesCounter.get();
    }

    @Override
    public void close()
    {
        rxFramesCounter.close();
        rxBytesCounter.close();
        txFramesCounter.close();
        txBytesCounter.close();
        for (final AtomicCounter counter : dropCounters)
        {
            counter.close();
        }
    }
}
