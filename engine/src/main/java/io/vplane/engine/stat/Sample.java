package io.vplane.engine.stat;

import io.vplane.engine.counters.CounterKind;
import io.vplane.engine.counters.CounterLabel;
import io.vplane.engine.counters.CountersFile;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.status.CountersReader;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The values of every live counter at one moment, with the clocks needed to turn two samples into rates.
 *
 * @param pid         pid of the daemon that owns the file
 * @param startTimeMs when the daemon started, epoch ms
 * @param epochMs     wall-clock time of the sample, epoch ms
 * @param nanoTime    monotonic time of the sample, for rates
 * @param counters    live counters in slot order
 */
public record Sample(long pid, long startTimeMs, long epochMs, long nanoTime, List<CounterValue> counters)
{
    public Sample
    {
        counters = List.copyOf(counters);
    }

    public static Sample take(final CountersFile file)
    {
        return read(file.reader(), file.pid(), file.startTimeMs(), System.currentTimeMillis(), System.nanoTime());
    }

    public static Sample read(
        final CountersReader reader,
        final long pid,
        final long startTimeMs,
        final long epochMs,
        final long nanoTime)
    {
        final List<CounterValue> counters = new ArrayList<>();
        reader.forEach((final int counterId, final int typeId, final DirectBuffer keyBuffer, final String label) ->
            counters.add(new CounterValue(
                counterId,
                reader.getCounterRegistrationId(counterId),
                CounterKind.ofTypeId(typeId),
                label,
                parseOrNull(label),
                reader.getCounterValue(counterId))));
        return new Sample(pid, startTimeMs, epochMs, nanoTime, counters);
    }

    /** Counters by label and registration id, to match them against another sample. */
    public Map<CounterValue.Key, CounterValue> byKey()
    {
        final Map<CounterValue.Key, CounterValue> byKey = new HashMap<>(counters.size() * 2);
        for (final CounterValue counter : counters)
        {
            byKey.putIfAbsent(counter.key(), counter);
        }
        return Collections.unmodifiableMap(byKey);
    }

    public long uptimeMs()
    {
        return Math.max(0, epochMs - startTimeMs);
    }

    private static CounterLabel parseOrNull(final String label)
    {
        try
        {
            return CounterLabel.parse(label);
        }
        catch (final IllegalArgumentException ex)
        {
            return null;
        }
    }
}
