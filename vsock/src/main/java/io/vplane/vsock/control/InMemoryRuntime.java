package io.vplane.vsock.control;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A container runtime that only remembers: the count, memory and storage of each target, and every
 * operation applied in order. For tests and for trying the control channel without a runtime.
 */
public final class InMemoryRuntime implements ContainerRuntime
{
    private final Map<String, long[]> targets = new TreeMap<>();
    private final List<String> applied = new ArrayList<>();

    @Override
    public synchronized void scale(final String target, final long count)
    {
        if (count < 0 || count > 10_000)
        {
            throw new IllegalArgumentException("count " + count + " is not in 0..10000");
        }
        state(target)[0] = count;
        applied.add("scale " + target + " " + count);
    }

    @Override
    public synchronized void memory(final String target, final long bytes)
    {
        positive("memory", bytes);
        state(target)[1] = bytes;
        applied.add("memory " + target + " " + bytes);
    }

    @Override
    public synchronized void storage(final String target, final long bytes)
    {
        positive("storage", bytes);
        state(target)[2] = bytes;
        applied.add("storage " + target + " " + bytes);
    }

    /** Every operation applied, in order, as "op target value". */
    public synchronized List<String> applied()
    {
        return List.copyOf(applied);
    }

    public synchronized long count(final String target)
    {
        return state(target)[0];
    }

    private long[] state(final String target)
    {
        return targets.computeIfAbsent(target, t -> new long[3]);
    }

    private static void positive(final String what, final long bytes)
    {
        if (bytes <= 0)
        {
            throw new IllegalArgumentException(what + " of " + bytes + " bytes");
        }
    }
}
