package io.vplane.blockstore.device;

import io.vplane.blockstore.request.BlockOp;
import io.vplane.blockstore.request.BlockRequest;
import io.vplane.engine.device.RateBudget;
import org.agrona.concurrent.Agent;

import java.util.List;

/**
 * Offers the built-in tuning load's READs to the disks' queues in turn at a set rate (token bucket,
 * at most one queue depth per origin in flight); each request is stamped with its offer time, from
 * which its origin measures the latency. Allocates nothing per request.
 */
final class TuneDiskLoad implements Agent
{
    private static final int BURST = 256;

    private final TuneDiskOrigin[] origins;
    private final RateBudget budget;
    private final int readBytes;
    private long tag;
    private long random = 0x9E3779B97F4A7C15L;
    private int next;

    TuneDiskLoad(final List<TuneDiskOrigin> origins, final long ratePerSec, final int readBytes)
    {
        this.origins = origins.toArray(TuneDiskOrigin[]::new);
        this.budget = new RateBudget(ratePerSec, BURST);
        this.readBytes = readBytes;
    }

    @Override
    public void onStart()
    {
        budget.start(System.nanoTime());
    }

    @Override
    public int doWork()
    {
        final long now = System.nanoTime();
        final int allowed = budget.available(now);
        int offered = 0;
        int emptyInARow = 0;
        while (offered < allowed && emptyInARow < origins.length)
        {
            final TuneDiskOrigin origin = origins[next];
            next = next + 1 == origins.length ? 0 : next + 1;
            final BlockRequest request = origin.take();
            if (null == request)
            {
                emptyInARow++;
                continue;
            }
            request.set(BlockOp.READ, 0, tag++, offset(origin.diskBytes()), readBytes, now);
            if (origin.queue().offer(request))
            {
                offered++;
                emptyInARow = 0;
            }
            else
            {
                origin.giveBack(request);
                emptyInARow++;
            }
        }
        budget.spent(offered);
        if (offered > 0)
        {
            for (final TuneDiskOrigin origin : origins)
            {
                origin.queue().wake();
            }
        }
        return offered;
    }

    /** A random offset aligned to the read size inside the disk (xorshift: no allocation, no lock). */
    private long offset(final long diskBytes)
    {
        random ^= random << 13;
        random ^= random >>> 7;
        random ^= random << 17;
        return Math.floorMod(random, diskBytes / readBytes) * readBytes;
    }

    @Override
    public String roleName()
    {
        return "tune-blk-load";
    }
}
