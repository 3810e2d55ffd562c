package io.vplane.nic.vswitch;

/** A port as the switch thread sees it: its index, role, segment base and counters. */
final class PortSlot
{
    final SwitchPort port;
    final int index;
    final boolean uplink;
    final int vni;
    /** Its frames lie in memory its guest can still write: decide on a copy ({@link FrameBurst#isolate}). */
    final boolean isolate;
    final PortCounters counters;
    boolean touched;

    PortSlot(final SwitchPort port, final int index, final PortCounters counters)
    {
        this.port = port;
        this.index = index;
        this.uplink = port.role() == PortRole.UPLINK;
        this.vni = port.vni();
        this.isolate = port.framesInGuestMemory();
        this.counters = counters;
    }
}
