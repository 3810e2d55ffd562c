package io.vplane.perf.report;

import java.util.Locale;

/** How a figure's median ratio moved between two reports (perf/bin/report --compare). */
public enum Change
{
    REGRESSION,
    IMPROVEMENT,
    WITHIN_NOISE;

    /** As the report prints it: {@code regression}, {@code improvement}, {@code within noise}. */
    public String text()
    {
        return name().toLowerCase(Locale.ROOT).replace('_', ' ');
    }

    /**
     * A change counts only when it is outside both runs' spreads: the new median outside the old
     * min–max and the old median outside the new min–max; its direction follows BETTER.
     */
    public static Change of(final Spread before, final Spread after, final Better better)
    {
        if (before.contains(after.median()) || after.contains(before.median()))
        {
            return WITHIN_NOISE;
        }
        final boolean up = after.median() > before.median();
        return up == (better == Better.HIGHER) ? IMPROVEMENT : REGRESSION;
    }
}
