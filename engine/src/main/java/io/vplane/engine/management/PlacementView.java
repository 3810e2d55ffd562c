package io.vplane.engine.management;

import java.util.List;

/**
 * Which queues run on which worker and CPU, for one device type, and where the type's I/O threads
 * (network event loops) run.
 *
 * @param grouping {@code count} (N queues of one device per group) or {@code load} (one group per
 *                 worker, queues assigned by measured load)
 * @param queues   per queue: where it runs and its measured load, like OVS {@code pmd-rxq-show}
 */
public record PlacementView(
    String type, int queuesPerWorker, int batch, boolean dedicated, List<WorkerView> workers, List<IoThreadView> io,
    String grouping, List<QueueView> queues)
{
    public static final String BY_COUNT = "count";
    public static final String BY_LOAD = "load";

    public PlacementView(
        final String type, final int queuesPerWorker, final int batch, final boolean dedicated, final List<WorkerView> workers,
        final List<IoThreadView> io)
    {
        this(type, queuesPerWorker, batch, dedicated, workers, io, BY_COUNT, List.of());
    }

    /** @param cpu the CPU the thread is pinned to, or -1 when it is not pinned */
    public record IoThreadView(String name, int cpu, boolean pinned)
    {
    }

    /** @param cpu the CPU the worker is pinned to, or -1 when it is not pinned */
    public record WorkerView(String name, int cpu, boolean pinned, List<GroupView> groups)
    {
    }

    /** @param queues queue names, {@code device/index} */
    public record GroupView(String name, List<String> queues)
    {
    }

    /**
     * @param queue       {@code device/index}
     * @param cpu         the worker's CPU, -1 when unpinned
     * @param loadPercent time spent in the queue's polls that took work, in percent of the window
     *                    the daemon measured over ({@code windowMs})
     * @param retired     a fault in one of the device's polls took its queues out of service
     */
    public record QueueView(
        String queue, String group, String worker, int cpu, long requests, double loadPercent, long windowMs, boolean retired)
    {
    }
}
