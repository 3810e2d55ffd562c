package io.vplane.engine.tune;

import io.vplane.engine.management.TuneView;

import java.util.Arrays;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/** What makes one queues-per-worker better than another. */
public enum TuneCriterion
{
    /** The design's: the highest share of the type's workers' CPU time spent in polls that took work. */
    UTILISATION("utilisation", TuneView.Trial::utilisationPercent),
    /** Requests served per second of the workers' CPU time: the default, as it counts only what the same requests cost. */
    THROUGHPUT_PER_CPU("throughput-per-cpu", TuneView.Trial::requestsPerCpuSecond);

    private final String label;
    private final ToDoubleFunction<TuneView.Trial> score;

    TuneCriterion(final String label, final ToDoubleFunction<TuneView.Trial> score)
    {
        this.label = label;
        this.score = score;
    }

    public String label()
    {
        return label;
    }

    double score(final TuneView.Trial trial)
    {
        return score.applyAsDouble(trial);
    }

    public static TuneCriterion of(final String label)
    {
        return Arrays.stream(values()).filter(value -> value.label.equals(label.toLowerCase(Locale.ROOT))).findFirst()
            .orElseThrow(() -> new IllegalArgumentException("criterion must be utilisation or throughput-per-cpu: '" + label + "'"));
    }
}
