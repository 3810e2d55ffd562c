package io.vplane.perf.report;

/** What a paired figure lets one conclude about vplane against one anchor. */
public enum Verdict
{
    TOO_NOISY("too noisy to conclude"),
    SUBJECT_BETTER("vplane better"),
    ANCHOR_BETTER("anchor better"),
    NO_CLEAR_DIFFERENCE("no clear difference"),
    SINGLE_RUN("JMH, not paired");

    private final String text;

    Verdict(final String text)
    {
        this.text = text;
    }

    public String text()
    {
        return text;
    }

    /**
     * Too noisy when the ratio's min or max is beyond ±15% of its median; otherwise a side is better
     * only when every pair says so (the whole min–max range of subject/anchor lies on its side of 1).
     */
    public static Verdict of(final Spread ratio, final Better better)
    {
        if (ratio.isWiderThan(Spread.NOISE_FRACTION))
        {
            return TOO_NOISY;
        }
        final boolean subjectHigher = ratio.min() > 1.0;
        final boolean subjectLower = ratio.max() < 1.0;
        if (!subjectHigher && !subjectLower)
        {
            return NO_CLEAR_DIFFERENCE;
        }
        return subjectHigher == (better == Better.HIGHER) ? SUBJECT_BETTER : ANCHOR_BETTER;
    }
}
