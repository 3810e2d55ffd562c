package io.vplane.engine.worker;

import io.vplane.engine.device.QueueWakeup;

import java.util.List;

/**
 * An agent that polls device queues and says how each can wake its worker (null: must be polled).
 * An agent that is not a wakeup source keeps its worker polling.
 */
public interface WakeupSource
{
    List<QueueWakeup> wakeups();
}
