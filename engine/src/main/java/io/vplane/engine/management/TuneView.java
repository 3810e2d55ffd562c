package io.vplane.engine.management;

import java.util.List;

/**
 * A run of {@code vplane tune}: while it runs, which candidate is measured and how long is left;
 * when done, a row per candidate, the choice and why, and what was applied.
 *
 * @param state              {@code running}, {@code done} or {@code failed}
 * @param loadDetail         what the load drives (the built-in load's device, queues and rate), or null while unknown
 * @param candidateIndex     1-based index of the candidate being measured (running), or the count (done)
 * @param remainingMs        estimated time until the run ends
 * @param chosenQueuesPerWorker the N the criterion picks, 0 until done
 * @param byUtilisation      the N the utilisation criterion picks, 0 until done
 * @param byThroughputPerCpu the N the throughput-per-CPU criterion picks, 0 until done
 * @param reason             one line naming the choice and why
 * @param queuesPerWorkerAfter the type's N when the run ended (the choice with apply, else the N before)
 * @param configFile         the config file written with apply, or null
 * @param configNote         what happened to the config file with apply (written, embedded default, ...)
 * @param grouping           the load-based grouping estimate from the queue loads measured at the end
 */
public record TuneView(
    String state, String type, String criterion, String load, String loadDetail, List<Integer> candidates, long durationMs, boolean dryRun,
    boolean apply, int candidateIndex, long remainingMs, List<Trial> trials, int chosenQueuesPerWorker, int byUtilisation,
    int byThroughputPerCpu, String reason, int queuesPerWorkerAfter, String configFile, String configNote,
    GroupingView grouping, String error)
{
    public static final String RUNNING = "running";
    public static final String DONE = "done";
    public static final String FAILED = "failed";

    /**
     * @param cpuSeconds           CPU time of the type's workers over the window (thread CPU clocks)
     * @param utilisationPercent   share of that CPU time spent in queue polls that took work
     * @param requestsPerCpuSecond requests served per second of the workers' CPU time
     * @param serviceNsPerRequest  time in polls that took work, per request served
     * @param latencySamples       requests whose latency (offer to served) was measured in the window; 0 when
     *                             the type's queues carry no offer time (then the two latencies are 0 too)
     * @param latencyP50Us         median latency of those requests, in microseconds (bucket bound, at most 12.5% high)
     * @param latencyP99Us         99th percentile of the same
     */
    public record Trial(
        int queuesPerWorker, double seconds, long requests, double requestsPerSec, double cpuSeconds,
        double utilisationPercent, double requestsPerCpuSecond, double serviceNsPerRequest, long latencySamples,
        double latencyP50Us, double latencyP99Us, List<WorkerSample> workers)
    {
    }

    /**
     * @param cpuPercent  the worker thread's CPU time in percent of the window
     * @param busyPercent its duty cycles that did work, in percent of the window
     */
    public record WorkerSample(String worker, double cpuPercent, double busyPercent)
    {
    }
}
