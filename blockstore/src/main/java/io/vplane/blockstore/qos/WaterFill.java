package io.vplane.blockstore.qos;

/**
 * Shares one slice's capacity among disks by what they ask: each gets its demand when everything
 * fits; else first its reservation (or as much of it as it asks), then the rest by weight, a disk
 * that needs less than its weighted part giving the difference to the others (max-min fair, so the
 * capacity is used whenever somebody asks for it). Reservations that together exceed the capacity
 * are cut in proportion. Allocation-free: the caller owns the arrays.
 */
final class WaterFill
{
    private WaterFill()
    {
    }

    /**
     * @param pie     the capacity to share
     * @param demand  what each of the first {@code n} disks asks
     * @param reserve each disk's floor
     * @param weight  each disk's weight, at least 1
     * @param share   out: what each disk gets, never more than it asks
     * @return the capacity left over
     */
    static long share(final long pie, final long[] demand, final long[] reserve, final long[] weight, final int n,
        final long[] share)
    {
        long reserved = 0;
        for (int i = 0; i < n; i++)
        {
            share[i] = Math.min(demand[i], reserve[i]);
            reserved += share[i];
        }
        if (reserved > pie)
        {
            long given = 0;
            for (int i = 0; i < n; i++)
            {
                share[i] = scale(share[i], pie, reserved);
                given += share[i];
            }
            return pie - given;
        }
        long left = pie - reserved;
        // Each round either satisfies at least one disk or hands out the rest by weight: at most n rounds.
        for (int round = 0; round < n && left > 0; round++)
        {
            long activeWeight = 0;
            for (int i = 0; i < n; i++)
            {
                if (share[i] < demand[i])
                {
                    activeWeight += weight[i];
                }
            }
            if (0 == activeWeight)
            {
                break;
            }
            long given = 0;
            boolean satisfiedOne = false;
            for (int i = 0; i < n; i++)
            {
                if (share[i] < demand[i])
                {
                    final long part = Math.max(1, scale(left, weight[i], activeWeight));
                    final long give = Math.min(part, demand[i] - share[i]);
                    satisfiedOne |= give < part;
                    share[i] += give;
                    given += give;
                    if (given >= left)
                    {
                        break;
                    }
                }
            }
            left -= given;
            if (!satisfiedOne)
            {
                break;
            }
        }
        return Math.max(0, left);
    }

    /** value * numerator / denominator without overflow for the rates used here. */
    static long scale(final long value, final long numerator, final long denominator)
    {
        if (0 == denominator)
        {
            return 0;
        }
        return (long)((double)value * numerator / denominator);
    }
}
