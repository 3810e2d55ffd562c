package io.vplane.nic.port;

import io.vplane.engine.stat.StatColumn;
import io.vplane.engine.stat.StatSection;

import java.util.List;

/** The {@code vplane stat} table of the vhost-user ports: one row per virtqueue (even: guest rx, odd: guest tx). */
public final class VhostQueueStats
{
    private VhostQueueStats()
    {
    }

    public static StatSection section()
    {
        return new StatSection("vhost-user queues", List.of("port", "queue"), List.of(
            StatColumn.rate("frames/s", QueueCounters.FRAMES),
            StatColumn.rate("bytes/s", QueueCounters.BYTES),
            StatColumn.rate("calls/s", QueueCounters.CALLS),
            StatColumn.value("frames", QueueCounters.FRAMES),
            StatColumn.value("ring errors", QueueCounters.RING_ERRORS)));
    }
}
