package io.vplane.engine.binding;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * Load-based ("group") assignment of queues to the workers of one pool, as OVS-DPDK's
 * {@code pmd-rxq-assign=group}: queues sorted by measured load, heaviest first, each given to the
 * worker with the least load so far (ties: fewer queues, then the lower worker index). Queues of
 * different devices may share a worker. The balance is the variance of the per-worker loads, the
 * measure OVS's PMD auto load balance compares before it reassigns.
 */
public final class LoadGrouping
{
    private LoadGrouping()
    {
    }

    /**
     * @param queues  the pool's queues
     * @param load    each queue's load, percent of one CPU
     * @param workers how many workers share them, at least 1
     * @return for each worker (by index) the queues it gets, heaviest first
     */
    public static <Q> List<List<Q>> assign(final List<Q> queues, final ToDoubleFunction<Q> load, final int workers)
    {
        if (workers < 1)
        {
            throw new IllegalArgumentException("workers must be at least 1: " + workers);
        }
        final List<List<Q>> assignment = new ArrayList<>(workers);
        final double[] sums = new double[workers];
        for (int w = 0; w < workers; w++)
        {
            assignment.add(new ArrayList<>());
        }
        final List<Q> sorted = new ArrayList<>(queues);
        // stable sort: queues of equal load keep their order, so a rerun gives the same answer
        sorted.sort(Comparator.comparingDouble(load).reversed());
        for (final Q queue : sorted)
        {
            int best = 0;
            for (int w = 1; w < workers; w++)
            {
                if (sums[w] < sums[best] || (sums[w] == sums[best] && assignment.get(w).size() < assignment.get(best).size()))
                {
                    best = w;
                }
            }
            sums[best] += load.applyAsDouble(queue);
            assignment.get(best).add(queue);
        }
        return assignment;
    }

    /** Each worker's load: the sum of its queues' loads. */
    public static <Q> double[] workerLoads(final List<List<Q>> assignment, final ToDoubleFunction<Q> load)
    {
        final double[] sums = new double[assignment.size()];
        for (int w = 0; w < sums.length; w++)
        {
            for (final Q queue : assignment.get(w))
            {
                sums[w] += load.applyAsDouble(queue);
            }
        }
        return sums;
    }

    /** Variance of the per-worker loads (percent²); 0 for one worker or none. */
    public static double variance(final double[] loads)
    {
        if (loads.length < 2)
        {
            return 0;
        }
        double mean = 0;
        for (final double load : loads)
        {
            mean += load;
        }
        mean /= loads.length;
        double sum = 0;
        for (final double load : loads)
        {
            sum += (load - mean) * (load - mean);
        }
        return sum / loads.length;
    }

    /** How much less variance {@code after} has than {@code before}, in percent of before; 0 when before is balanced. */
    public static double improvementPercent(final double[] before, final double[] after)
    {
        final double varianceBefore = variance(before);
        if (varianceBefore <= 0)
        {
            return 0;
        }
        return (varianceBefore - variance(after)) / varianceBefore * 100.0;
    }
}
