package io.vplane.nic.port;

import io.vplane.engine.device.QueueWakeup;
import io.vplane.engine.errors.ErrorLog;
import io.vplane.engine.wakeup.Doorbell;
import io.vplane.virtio.virtq.SplitVirtQueue;

/**
 * A transmit virtqueue whose ring the vSwitch drains ({@code guestTx: switch}): the engine's poll
 * does nothing, the switch's worker takes the ring with the foreign handshake of {@link NetQueue}.
 */
final class SwitchedTxQueue extends NetQueue
{
    final QueueCounters counters;
    private final Doorbell idle = new Doorbell(() -> 0);

    SwitchedTxQueue(final String port, final int index, final ErrorLog errors, final QueueCounters counters)
    {
        super(port, index, errors, counters.ringErrors);
        this.counters = counters;
    }

    @Override
    public int poll(final int limit)
    {
        return 0;
    }

    /** The switch's worker drives this ring and sleeps on its kicks ({@link #kickWakeup()}). */
    @Override
    protected boolean pollsOwnRing()
    {
        return true;
    }

    /**
     * The engine's worker of this queue has no work here and must not take the ring's kicks (the
     * switch's worker waits on them): it may sleep on a wakeup that never rings.
     */
    @Override
    public QueueWakeup wakeup()
    {
        return idle;
    }

    @Override
    void closeWakeups()
    {
        idle.close();
    }

    @Override
    protected int process(final SplitVirtQueue queue, final int limit)
    {
        return 0;
    }
}
