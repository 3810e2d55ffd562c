package io.vplane.engine.binding;

/** The arithmetic of splitting M queues into groups of at most N. */
public final class QueueBinding
{
    private QueueBinding()
    {
    }

    /** ceil(M / N). */
    public static int groupCount(final int queueCount, final int queuesPerGroup)
    {
        if (queueCount < 0 || queuesPerGroup < 1)
        {
            throw new IllegalArgumentException("queues=" + queueCount + " queuesPerGroup=" + queuesPerGroup);
        }
        return (queueCount + queuesPerGroup - 1) / queuesPerGroup;
    }

    /** Index of the first queue of {@code group}. */
    public static int firstQueue(final int group, final int queuesPerGroup)
    {
        return group * queuesPerGroup;
    }

    /** How many queues {@code group} holds: N, except for a shorter last group. */
    public static int groupSize(final int group, final int queueCount, final int queuesPerGroup)
    {
        return Math.min(queuesPerGroup, queueCount - firstQueue(group, queuesPerGroup));
    }
}
