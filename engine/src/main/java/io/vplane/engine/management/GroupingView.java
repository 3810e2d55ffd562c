package io.vplane.engine.management;

import java.util.List;

/**
 * A load-based regrouping of one device type's queues, estimated from their measured loads: the
 * per-worker load now and after, and whether it was applied.
 *
 * @param improvementPercent how much the variance of the per-worker loads drops, in percent
 * @param thresholdPercent   the improvement needed to apply it
 * @param applied            whether the daemon switched to it
 * @param reason             one line saying why it was or was not applied
 */
public record GroupingView(
    String type, List<WorkerLoad> workers, double varianceBefore, double varianceAfter, double improvementPercent,
    double thresholdPercent, boolean dryRun, boolean applied, String reason)
{
    /** @param queuesAfter the queues the worker would serve, heaviest first */
    public record WorkerLoad(String worker, double loadBeforePercent, double loadAfterPercent, List<String> queuesAfter)
    {
    }
}
