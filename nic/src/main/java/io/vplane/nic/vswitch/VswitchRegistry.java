package io.vplane.nic.vswitch;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Running switches by name, so net devices opened by other providers (vhost-user ports, uplinks)
 * and the control API can find the switch to attach to.
 */
public final class VswitchRegistry
{
    private static final Map<String, VswitchStage> SWITCHES = new ConcurrentHashMap<>();

    private VswitchRegistry()
    {
    }

    static void register(final String name, final VswitchStage stage)
    {
        SWITCHES.put(name, stage);
    }

    static void unregister(final String name, final VswitchStage stage)
    {
        SWITCHES.remove(name, stage);
    }

    /** Names of the running switches, sorted. */
    public static java.util.List<String> names()
    {
        return SWITCHES.keySet().stream().sorted().toList();
    }

    /** @return the running switch of that name, or null */
    public static VswitchStage find(final String name)
    {
        return SWITCHES.get(name);
    }
}
