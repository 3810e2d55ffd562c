package io.vplane.nic.vswitch;

import io.vplane.engine.device.QueueWakeup;

import java.util.List;

/**
 * A port of the switch: a vhost-user port, an uplink, or an internal test port. The switch calls
 * every method from its one data-path thread, in this order per burst: {@link #receive}, then
 * {@link #transmit} on the destinations of each frame, {@link #release} on the receiving port, and
 * {@link #flush} on every port that transmitted. None may block.
 */
public interface SwitchPort
{
    /** The frame went out without a copy: sent from the buffer it was in, or that buffer was already the destination's. */
    int TX_SENT = 0;
    /** The port copied the frame into its own (or its guest's) memory. */
    int TX_COPIED = 1;
    /** The port had no room; the frame is dropped for this port. */
    int TX_REFUSED = 2;

    String name();

    PortRole role();

    /** VXLAN VNI of the segment base (0 when none): MACs are learned and floods stay within a VNI. */
    default int vni()
    {
        return 0;
    }

    /** Whether the port carries this VLAN (0: untagged); an access port carries one. */
    default boolean carriesVlan(final int vlanId)
    {
        return true;
    }

    /**
     * Whether the frames this port receives lie in memory a guest can still write while the switch
     * works on them (a vhost-user port taking frames in place): the switch then decides on, and
     * forwards, its own copy of their headers ({@link FrameBurst#isolate}).
     */
    default boolean framesInGuestMemory()
    {
        return false;
    }

    /**
     * Adds received frames to the burst, at most until it is full.
     *
     * @return frames added
     */
    int receive(FrameBurst burst);

    /**
     * Sends one frame of a burst another port received, read through {@link FrameBurst#copyTo}
     * (its isolated start from the switch's copy). When this returns the port no longer
     * refers to the frame's buffer (it copied it or finished sending it), because the switch then
     * rewrites it for the next destination or releases it.
     *
     * @return {@link #TX_SENT}, {@link #TX_COPIED} or {@link #TX_REFUSED}
     */
    int transmit(FrameBurst burst, int index);

    /** The switch is done with every frame of a burst this port received: give the buffers back. */
    void release(FrameBurst burst);

    /** End of a burst in which this port transmitted: publish, notify the peer (coalesced). */
    void flush();

    /**
     * What lets the switch's worker sleep until this port has frames to receive; empty when the
     * port cannot say (it is then polled at least once per sleep timeout). Called on the switch's
     * thread; arming and disarming happen there too.
     */
    default List<QueueWakeup> wakeups()
    {
        return List.of();
    }

    /**
     * Working on a burst this port received threw {@code fault} (its guest's memory faulted: a
     * frontend shrank the file behind it, SIGBUS as InternalError). The port drops the burst and
     * stops what faulted, so the switch and its other ports go on.
     *
     * @return false when the port cannot contain it: the switch then fails as a whole
     */
    default boolean contain(final Throwable fault)
    {
        return false;
    }

    /** The switch no longer calls this port (after a detach, from the data-path thread). */
    default void detached()
    {
    }
}
