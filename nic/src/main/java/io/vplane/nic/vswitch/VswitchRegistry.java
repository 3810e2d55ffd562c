package io.vplane.nic.vswitch;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Running switches by name, so net devices opened by other providers (vhost-user ports, uplinks)
 * and the control API can find the switch to attach to. A port that {@link #join}s a switch is
 * attached whenever a switch of that name runs: now, when it starts later, and again when it is
 * reopened (reload builds a new stage).
 */
public final class VswitchRegistry
{
    private static final Object LOCK = new Object();
    private static final Map<String, VswitchStage> SWITCHES = new HashMap<>();
    private static final Map<String, List<SwitchPort>> MEMBERS = new HashMap<>();

    private VswitchRegistry()
    {
    }

    static void register(final String name, final VswitchStage stage)
    {
        synchronized (LOCK)
        {
            SWITCHES.put(name, stage);
            for (final SwitchPort port : MEMBERS.getOrDefault(name, List.of()))
            {
                attachQuietly(stage, port);
            }
        }
    }

    static void unregister(final String name, final VswitchStage stage)
    {
        synchronized (LOCK)
        {
            SWITCHES.remove(name, stage);
        }
    }

    /** Names of the running switches, sorted. */
    public static List<String> names()
    {
        synchronized (LOCK)
        {
            return SWITCHES.keySet().stream().sorted().toList();
        }
    }

    /** @return the running switch of that name, or null */
    public static VswitchStage find(final String name)
    {
        synchronized (LOCK)
        {
            return SWITCHES.get(name);
        }
    }

    /**
     * Makes {@code port} a member of the switch {@code switchName}: attached now if it runs, and
     * each time a switch of that name starts.
     *
     * @return true when the switch runs now and the port was attached
     */
    public static boolean join(final String switchName, final SwitchPort port)
    {
        synchronized (LOCK)
        {
            MEMBERS.computeIfAbsent(switchName, k -> new ArrayList<>()).add(port);
            final VswitchStage stage = SWITCHES.get(switchName);
            return null != stage && attachQuietly(stage, port);
        }
    }

    /**
     * Ends the membership and detaches the port from the running switch, which stops calling it at
     * its next cycle and then calls {@link SwitchPort#detached()}.
     *
     * @return true when it was attached to a running switch (a {@code detached()} call follows)
     */
    public static boolean leave(final String switchName, final SwitchPort port)
    {
        synchronized (LOCK)
        {
            final List<SwitchPort> members = MEMBERS.get(switchName);
            if (null != members)
            {
                members.remove(port);
                if (members.isEmpty())
                {
                    MEMBERS.remove(switchName);
                }
            }
            final VswitchStage stage = SWITCHES.get(switchName);
            return null != stage && stage.detach(port);
        }
    }

    private static boolean attachQuietly(final VswitchStage stage, final SwitchPort port)
    {
        try
        {
            stage.attach(port);
            return true;
        }
        catch (final IllegalStateException ex)
        {
            // another port of that name is attached; this one stays a member and waits
            return false;
        }
    }
}
