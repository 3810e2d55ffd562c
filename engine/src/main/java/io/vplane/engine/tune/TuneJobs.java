package io.vplane.engine.tune;

import io.vplane.engine.management.TuneView;

import java.util.NoSuchElementException;

/** The daemon's tuning runs: one at a time, the last one kept for its report. */
public final class TuneJobs
{
    private TuneJob last;

    /** @throws IllegalArgumentException while another run is in progress */
    public synchronized TuneView start(final TuneSettings settings, final TuneJob.Body body)
    {
        if (null != last && last.running())
        {
            throw new IllegalArgumentException("a tuning run of " + last.view().type() + " is in progress (candidate " +
                last.view().candidateIndex() + " of " + last.view().candidates().size() + "); wait for it to end");
        }
        last = TuneJob.start(settings, body);
        return last.view();
    }

    /** @throws NoSuchElementException when no run was started */
    public synchronized TuneView last()
    {
        if (null == last)
        {
            throw new NoSuchElementException("no tuning run yet; start one with POST /tune");
        }
        return last.view();
    }
}
