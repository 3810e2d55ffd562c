package io.vplane.nic.port;

import io.vplane.engine.errors.ErrorLog;
import io.vplane.nic.virtq.SplitVirtQueue;

/**
 * A transmit virtqueue whose ring the vSwitch drains ({@code guestTx: switch}): the engine's poll
 * does nothing, the switch's worker takes the ring with the foreign handshake of {@link NetQueue}.
 */
final class SwitchedTxQueue extends NetQueue
{
    final QueueCounters counters;

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

    @Override
    protected int process(final SplitVirtQueue queue, final int limit)
    {
        return 0;
    }
}
