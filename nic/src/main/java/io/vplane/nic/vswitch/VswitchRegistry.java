package io.vplane.nic.vswitch;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Running switches by name, so net devices opened by other providers (vhost-user ports, uplinks)
 * and the control API can find the switch to attach to. One per net device kind, which hands it to
 * its providers and routes. A port that {@link #join}s a switch is
 * attached whenever a switch of that name runs: now, when it starts later, and again when it is
 * reopened (reload builds a new stage).
 */
public final class VswitchRegistry
{
    private final Object lock = new Object();
    private final Map<String, VswitchStage> switches = new HashMap<>();
    private final Map<String, List<SwitchPort>> members = new HashMap<>();

    void register(final String name, final VswitchStage stage)
    {
        synchronized (lock)
        {
            switches.put(name, stage);
            for (final SwitchPort port : members.getOrDefault(name, List.of()))
            {
                attachQuietly(stage, port);
            }
        }
    }

    void unregister(final String name, final VswitchStage stage)
    {
        synchronized (lock)
        {
            switches.remove(name, stage);
        }
    }

    /** Names of the running switches, sorted. */
    public List<String> names()
    {
        synchronized (lock)
        {
            return switches.keySet().stream().sorted().toList();
        }
    }

    /** @return the running switch of that name, or null */
    public VswitchStage find(final String name)
    {
        synchronized (lock)
        {
            return switches.get(name);
        }
    }

    /**
     * Makes {@code port} a member of the switch {@code switchName}: attached now if it runs, and
     * each time a switch of that name starts.
     *
     * @return true when the switch runs now and the port was attached
     */
    public boolean join(final String switchName, final SwitchPort port)
    {
        synchronized (lock)
        {
            members.computeIfAbsent(switchName, k -> new ArrayList<>()).add(port);
            final VswitchStage stage = switches.get(switchName);
            return null != stage && attachQuietly(stage, port);
        }
    }

    /**
     * Ends the membership and detaches the port from the running switch, which stops calling it at
     * its next cycle and then calls {@link SwitchPort#detached()}.
     *
     * @return true when it was attached to a running switch (a {@code detached()} call follows)
     */
    public boolean leave(final String switchName, final SwitchPort port)
    {
        synchronized (lock)
        {
            final List<SwitchPort> joined = members.get(switchName);
            if (null != joined)
            {
                joined.remove(port);
                if (joined.isEmpty())
                {
                    members.remove(switchName);
                }
            }
            final VswitchStage stage = switches.get(switchName);
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
