package io.vplane.engine.tune;

import io.vplane.engine.management.TuneView;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * One {@code vplane tune} run in the background, so the API can answer at once and report
 * progress while the candidates are measured. At most one runs per daemon ({@link TuneJobs}).
 */
public final class TuneJob
{
    private static final Logger LOG = LoggerFactory.getLogger(TuneJob.class);

    /** What the run does; told progress, it returns the finished view. */
    @FunctionalInterface
    public interface Body
    {
        TuneView run(TuneSettings settings, Tuner.Progress progress) throws Exception;
    }

    private final TuneSettings settings;
    private volatile TuneView view;

    private TuneJob(final TuneSettings settings)
    {
        this.settings = settings;
        final long totalMs = settings.candidates().size() * (settings.settleMs() + settings.durationMs());
        this.view = running(1, totalMs, List.of());
    }

    /** Starts {@code body} on a thread of its own. */
    public static TuneJob start(final TuneSettings settings, final Body body)
    {
        final TuneJob job = new TuneJob(settings);
        Thread.ofVirtual().name("vplane-tune-" + settings.type()).start(() -> job.run(body));
        return job;
    }

    public TuneView view()
    {
        return view;
    }

    public boolean running()
    {
        return TuneView.RUNNING.equals(view.state());
    }

    private void run(final Body body)
    {
        try
        {
            view = body.run(settings, (candidate, remainingMs, trials) -> view = running(candidate, remainingMs, trials));
        }
        catch (final Exception | Error ex)
        {
            LOG.warn("tuning {} failed: {}", settings.type(), ex.toString());
            final TuneView last = view;
            view = new TuneView(TuneView.FAILED, settings.type(), settings.criterion().label(), settings.load().label(),
                last.loadDetail(), settings.candidates(), settings.durationMs(), settings.dryRun(), settings.apply(), last.candidateIndex(), 0,
                last.trials(), 0, 0, 0, null, 0, null, null, null, null == ex.getMessage() ? ex.toString() : ex.getMessage());
        }
    }

    private TuneView running(final int candidate, final long remainingMs, final List<TuneView.Trial> trials)
    {
        return new TuneView(TuneView.RUNNING, settings.type(), settings.criterion().label(), settings.load().label(), null,
            settings.candidates(), settings.durationMs(), settings.dryRun(), settings.apply(), candidate, remainingMs, trials,
            0, 0, 0, null, 0, null, null, null, null);
    }

    /** The finished view of a run. */
    public static TuneView done(
        final TuneSettings settings, final Tuner.Result result, final String configFile, final String configNote)
    {
        return new TuneView(TuneView.DONE, settings.type(), settings.criterion().label(), settings.load().label(), result.load(),
            settings.candidates(), settings.durationMs(), settings.dryRun(), settings.apply(), settings.candidates().size(), 0,
            result.trials(), result.choice().chosen(), result.choice().byUtilisation(), result.choice().byThroughputPerCpu(),
            result.choice().reason(), result.queuesPerWorkerAfter(), configFile, configNote, result.grouping(), null);
    }
}
