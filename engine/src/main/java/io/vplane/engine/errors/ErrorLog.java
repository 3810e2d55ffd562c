package io.vplane.engine.errors;

import io.vplane.engine.counters.Counters;
import io.vplane.engine.counters.EngineMetrics;
import org.agrona.concurrent.status.AtomicCounter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Counts faults by component and kind, and logs a kind the first time it occurs and then at most
 * once per repeat window with how often it happened meanwhile, so a peer that sends garbage in a
 * loop cannot flood the log. Faults are the exception path: the allocation of a new kind is fine.
 */
public final class ErrorLog
{
    private static final Logger LOG = LoggerFactory.getLogger(ErrorLog.class);
    

    private final Counters counters;
    private final LongSupplier nanoClock;
    private final long repeatWindowNs;
    private final ConcurrentHashMap<String, Kind> kinds = new ConcurrentHashMap<>();

    public ErrorLog(final Counters counters)
    {
        this(counters, System::nanoTime, TimeUnit.SECONDS.toNanos(10));
    }

    public ErrorLog(final Counters counters, final LongSupplier nanoClock, final long repeatWindowNs)
    {
        this.counters = counters;
        this.nanoClock = nanoClock;
        this.repeatWindowNs = repeatWindowNs;
    }

    /**
     * Records one fault.
     *
     * @param component where it happened, for example {@code loopback} or the device kind
     * @param error     a stable short name of the fault kind, for example {@code order}
     * @param detail    one line naming the peer and what was wrong
     * @return the number of times this kind occurred so far
     */
    public long record(final String component, final String error, final String detail)
    {
        final Kind kind = kinds.computeIfAbsent(component + '\u0000' + error, ignore -> new Kind(
            counters.counter(EngineMetrics.ERRORS_TOTAL, "component", component, "error", error)));
        final long total = kind.counter.increment() + 1; // atomic: any thread records
        final long now = nanoClock.getAsLong();
        synchronized (kind)
        {
            if (total == 1 || now - kind.lastLoggedNs >= repeatWindowNs)
            {
                final long suppressed = total - kind.loggedAtTotal - 1;
                if (suppressed > 0)
                {
                    LOG.warn("{}/{}: {} (and {} more like it since the last report)", component, error, detail, suppressed);
                }
                else
                {
                    LOG.warn("{}/{}: {}", component, error, detail);
                }
                kind.lastLoggedNs = now;
                kind.loggedAtTotal = total;
            }
        }
        return total;
    }

    private static final class Kind
    {
        final AtomicCounter counter;
        long lastLoggedNs;
        long loggedAtTotal;

        Kind(final AtomicCounter counter)
        {
            this.counter = counter;
        }
    }
}
