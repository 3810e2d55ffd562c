package io.vplane.nic.port;

import java.util.HashMap;
import java.util.Map;

/**
 * The switched VM ports that lend receive buffers, by port name, so an uplink opened by another
 * provider finds the VM it serves. A {@link Slot} per name is stable: the uplink keeps it and reads
 * the port behind it (which comes and goes with the port) once per burst.
 */
public final class GuestRxLenders
{
    private final Map<String, Slot> slots = new HashMap<>();

    /** The slot of port {@code name}, empty until such a port starts. */
    public synchronized Slot slot(final String name)
    {
        return slots.computeIfAbsent(name, k -> new Slot());
    }

    /** Where one port's lender is published while the port runs. */
    public static final class Slot
    {
        private volatile GuestRxLender lender;
        private volatile String vswitch;

        /** @return the running port, or null */
        public GuestRxLender lender()
        {
            return lender;
        }

        /** The switch the running port joined (lending works only within one switch), or null. */
        public String vswitch()
        {
            return vswitch;
        }

        void set(final GuestRxLender port, final String switchName)
        {
            vswitch = switchName;
            lender = port;
        }

        void clear(final GuestRxLender port)
        {
            if (lender == port)
            {
                lender = null;
                vswitch = null;
            }
        }
    }
}
