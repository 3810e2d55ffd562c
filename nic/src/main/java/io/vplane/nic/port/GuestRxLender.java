package io.vplane.nic.port;

import io.vplane.nic.vswitch.FrameBurst;

/**
 * A switched VM port that lends its guest's receive buffers to the uplink queue serving it
 * (see {@link GuestRxPool}). Called on the switch's thread, around the uplink's burst: {@link #lend}
 * before the uplink reads, {@link #endLend} in the uplink's release.
 */
public interface GuestRxLender
{
    /**
     * Holds the port's receive ring for the rest of the switch cycle and tops the pool up from it
     * to {@code want} ready entries; frames of {@code burst} read into the pool are then published
     * in place when the switch hands them to this port.
     *
     * @return false when nothing can be lent (no ring running, quiesced, ring broken)
     */
    boolean lend(GuestRxPool pool, FrameBurst burst, int want);

    /** The uplink's burst is done: frames not published go back to the pool; the ring is let go when idle. */
    void endLend(GuestRxPool pool, FrameBurst burst);

    /** The uplink's burst faulted: if the fault was in this guest's memory, its receive ring stops. */
    void abandonLend(Throwable fault);
}
