package io.vplane.engine.management;

import java.util.List;

/**
 * Which queues run on which worker and CPU, for one device type, and where the type's I/O threads
 * (network event loops) run.
 */
public record PlacementView(
    String type, int queuesPerWorker, int batch, boolean dedicated, List<WorkerView> workers, List<IoThreadView> io)
{
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
}
