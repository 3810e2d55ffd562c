package io.vplane.engine.tune;

import io.vplane.engine.management.TuneView;

import java.util.List;
import java.util.Locale;

/**
 * Picks N from the measured candidates under both criteria and says why. A later candidate must
 * beat the best so far by more than {@link #MARGIN} to win, so noise does not pick a different N on
 * every run when candidates are close; the earlier (listed first) one is kept then.
 *
 * @param chosen             the N of the requested criterion, or 0 when no candidate served a request
 * @param byUtilisation      the N the utilisation criterion picks
 * @param byThroughputPerCpu the N the throughput-per-CPU criterion picks
 */
public record TuneChoice(int chosen, int byUtilisation, int byThroughputPerCpu, String reason)
{
    static final double MARGIN = 0.02;

    public static TuneChoice of(final List<TuneView.Trial> trials, final TuneCriterion criterion)
    {
        if (trials.stream().allMatch(trial -> 0 == trial.requests()))
        {
            return new TuneChoice(0, 0, 0,
                "no candidate served a request: there was no load to measure (try --load builtin, or run traffic)");
        }
        final TuneView.Trial byUtilisation = best(trials, TuneCriterion.UTILISATION);
        final TuneView.Trial byThroughput = best(trials, TuneCriterion.THROUGHPUT_PER_CPU);
        final TuneView.Trial chosen = TuneCriterion.UTILISATION == criterion ? byUtilisation : byThroughput;
        final TuneCriterion other = TuneCriterion.UTILISATION == criterion ? TuneCriterion.THROUGHPUT_PER_CPU : TuneCriterion.UTILISATION;
        final TuneView.Trial otherPick = TuneCriterion.UTILISATION == criterion ? byThroughput : byUtilisation;
        final StringBuilder reason = new StringBuilder();
        reason.append("N=").append(chosen.queuesPerWorker()).append(": highest ").append(describe(criterion, chosen));
        final TuneView.Trial runnerUp = runnerUp(trials, chosen, criterion);
        if (null != runnerUp)
        {
            reason.append(" against ").append(value(criterion, runnerUp)).append(" for N=").append(runnerUp.queuesPerWorker());
        }
        reason.append(latency(chosen, runnerUp));
        if (otherPick.queuesPerWorker() == chosen.queuesPerWorker())
        {
            reason.append("; ").append(other.label()).append(" agrees");
        }
        else
        {
            reason.append("; ").append(other.label()).append(" would pick N=").append(otherPick.queuesPerWorker())
                .append(" (").append(value(other, otherPick)).append(" against ").append(value(other, chosen)).append(')');
        }
        return new TuneChoice(chosen.queuesPerWorker(), byUtilisation.queuesPerWorker(), byThroughput.queuesPerWorker(),
            reason.toString());
    }

    static TuneView.Trial best(final List<TuneView.Trial> trials, final TuneCriterion criterion)
    {
        TuneView.Trial best = trials.getFirst();
        for (final TuneView.Trial trial : trials)
        {
            if (criterion.score(trial) > criterion.score(best) * (1 + MARGIN))
            {
                best = trial;
            }
        }
        return best;
    }

    private static TuneView.Trial runnerUp(final List<TuneView.Trial> trials, final TuneView.Trial chosen, final TuneCriterion criterion)
    {
        TuneView.Trial second = null;
        for (final TuneView.Trial trial : trials)
        {
            if (trial != chosen && (null == second || criterion.score(trial) > criterion.score(second)))
            {
                second = trial;
            }
        }
        return second;
    }

    /** The chosen N's latency next to the runner-up's, so a choice that costs latency says so; empty when not measured. */
    private static String latency(final TuneView.Trial chosen, final TuneView.Trial runnerUp)
    {
        if (0 == chosen.latencySamples())
        {
            return "";
        }
        final String own = String.format(Locale.ROOT, ", at p50/p99 latency %.1f/%.1f us", chosen.latencyP50Us(), chosen.latencyP99Us());
        if (null == runnerUp || 0 == runnerUp.latencySamples())
        {
            return own;
        }
        return own + String.format(Locale.ROOT, " against %.1f/%.1f us", runnerUp.latencyP50Us(), runnerUp.latencyP99Us());
    }

    private static String describe(final TuneCriterion criterion, final TuneView.Trial trial)
    {
        return TuneCriterion.UTILISATION == criterion ?
            "utilisation (" + value(criterion, trial) + " of the workers' CPU time in polls that took work)" :
            "throughput per CPU (" + value(criterion, trial) + ")";
    }

    private static String value(final TuneCriterion criterion, final TuneView.Trial trial)
    {
        return TuneCriterion.UTILISATION == criterion ?
            String.format(Locale.ROOT, "%.1f%%", trial.utilisationPercent()) :
            String.format(Locale.ROOT, "%,.0f requests/CPU-s", trial.requestsPerCpuSecond());
    }
}
