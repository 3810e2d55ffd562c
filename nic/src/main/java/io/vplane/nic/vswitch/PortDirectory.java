package io.vplane.nic.vswitch;

import java.util.HashMap;
import java.util.Map;

/**
 * Gives each port name a small stable index on first use (by a table entry or by attaching the
 * port), never reused, so table entries can name ports that are not attached yet and the data path
 * compares ints.
 */
public final class PortDirectory
{
    private final int maxPorts;
    private final Map<String, Integer> indexes = new HashMap<>();
    private final Map<Integer, String> names = new HashMap<>();

    public PortDirectory(final int maxPorts)
    {
        if (maxPorts < 1 || maxPorts > 0xFFFF)
        {
            throw new IllegalArgumentException("maxPorts must be 1..65535: " + maxPorts);
        }
        this.maxPorts = maxPorts;
    }

    public synchronized int indexOf(final String name)
    {
        final Integer index = indexes.get(name);
        if (null != index)
        {
            return index;
        }
        if (indexes.size() == maxPorts)
        {
            throw new IllegalStateException("too many port names (" + maxPorts + "); cannot add '" + name + "'");
        }
        final int next = indexes.size();
        indexes.put(name, next);
        names.put(next, name);
        return next;
    }

    public synchronized String nameOf(final int index)
    {
        return names.get(index);
    }

    public int maxPorts()
    {
        return maxPorts;
    }
}
