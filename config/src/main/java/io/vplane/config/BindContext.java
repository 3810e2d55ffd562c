package io.vplane.config;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What sections bound earlier tell the ones bound later: the pool types, and the device names already
 * taken (device names are unique across every device list, since the engine knows devices by name).
 */
public final class BindContext
{
    private final List<String> poolTypes;
    private final Map<String, Claim> devices = new HashMap<>();

    private record Claim(String listPath, int line)
    {
    }

    BindContext(final Collection<String> poolTypes)
    {
        this.poolTypes = List.copyOf(poolTypes);
    }

    /** Device types that have a worker pool, in file order ({@code net}, {@code blk}, {@code vsock}). */
    public List<String> poolTypes()
    {
        return poolTypes;
    }

    /**
     * Takes a device name for the entry {@code item} of the list at {@code listPath}, or reports it
     * at the entry's {@code name} as used twice.
     *
     * @return true when the name was free
     */
    public boolean claimDeviceName(final SectionReader item, final String listPath, final String name)
    {
        final Claim first = devices.putIfAbsent(name, new Claim(listPath, item.lineOf("name")));
        if (null != first)
        {
            item.reject("name", "device name '" + name + "' is used twice; first at line " + first.line());
            return false;
        }
        return true;
    }

    /** @return the path of the device list that declared {@code name} (e.g. {@code devices.loopback}), or null */
    public String deviceListOf(final String name)
    {
        final Claim claim = devices.get(name);
        return null == claim ? null : claim.listPath();
    }
}
