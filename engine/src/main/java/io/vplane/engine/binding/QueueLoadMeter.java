package io.vplane.engine.binding;

import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * Turns the queues' busy-time counters into load percentages over a window: the time since the
 * previous reading, at least {@link #MIN_WINDOW_NS}; when the previous reading is missing or
 * older than {@link #MAX_WINDOW_NS}, a fresh window of {@link #FRESH_WINDOW_NS} is measured.
 * Control threads only.
 */
final class QueueLoadMeter
{
    static final long MIN_WINDOW_NS = 250_000_000L;
    static final long FRESH_WINDOW_NS = 250_000_000L;
    static final long MAX_WINDOW_NS = 120_000_000_000L;

    private final long maxWindowNs;
    private Map<BoundQueue, Long> previous = new IdentityHashMap<>();
    private long previousNs;

    /** @param maxWindowNs a previous reading older than this is not used, a fresh window is measured instead */
    QueueLoadMeter(final long maxWindowNs)
    {
        this.maxWindowNs = maxWindowNs;
    }

    /** Starts a window now. */
    synchronized void mark(final List<BoundQueue> queues)
    {
        previous = snapshot(queues);
        previousNs = System.nanoTime();
    }

    /** Loads of {@code queues} in percent of one CPU, and the window they were measured over. */
    synchronized Reading read(final List<BoundQueue> queues)
    {
        long now = System.nanoTime();
        if (queues.isEmpty())
        {
            return new Reading(Map.of(), 0);
        }
        if (previous.isEmpty() || now - previousNs > maxWindowNs || !previous.keySet().containsAll(queues))
        {
            previous = snapshot(queues);
            previousNs = now;
            LockSupport.parkNanos(FRESH_WINDOW_NS);
            now = System.nanoTime();
        }
        else if (now - previousNs < MIN_WINDOW_NS)
        {
            LockSupport.parkNanos(MIN_WINDOW_NS - (now - previousNs));
            now = System.nanoTime();
        }
        final Map<BoundQueue, Long> current = snapshot(queues);
        final long windowNs = Math.max(1, now - previousNs);
        final Map<BoundQueue, Double> loads = new HashMap<>();
        for (final BoundQueue queue : queues)
        {
            final long busy = current.get(queue) - previous.getOrDefault(queue, current.get(queue));
            loads.put(queue, Math.min(100.0, Math.max(0, busy) * 100.0 / windowNs));
        }
        previous = current;
        previousNs = now;
        return new Reading(loads, windowNs / 1_000_000);
    }

    private static Map<BoundQueue, Long> snapshot(final List<BoundQueue> queues)
    {
        final Map<BoundQueue, Long> values = new IdentityHashMap<>();
        queues.forEach(queue -> values.put(queue, queue.busyNs()));
        return values;
    }

    record Reading(Map<BoundQueue, Double> loads, long windowMs)
    {
        double load(final BoundQueue queue)
        {
            return loads.getOrDefault(queue, 0.0);
        }
    }
}
