package io.vplane.nic.uplink;

import io.vplane.engine.errors.ErrorLog;
import io.vplane.nic.port.GuestRxLender;
import io.vplane.nic.port.GuestRxLenders;
import io.vplane.nic.port.GuestRxPool;
import io.vplane.nic.vswitch.FrameBurst;

import java.lang.foreign.MemorySegment;

/**
 * What every uplink port that receives into its VM's guest buffers shares, on the switch's
 * thread: each burst it asks the VM port to lend receive buffers ({@link GuestRxLender#lend}, a
 * {@link GuestRxPool}) and reads straight into them ({@link #readIntoGuest}); the switch decides
 * on its own copy of each frame's start, and the VM port publishes in place what is for it. Without
 * a lending VM port (not running, not on this switch, ring not ready, {@code zeroCopy: false}) it
 * reads into its own memory ({@link #readIntoHost}) and the switch copies: the fallback copy path.
 * After the burst ({@link #release}) every buffer not published goes back to the pool.
 */
abstract class LendingUplinkPort extends UplinkPort
{
    /** Own receive buffer: the longest frame the switch accepts, with room before it for a header. */
    static final int HOST_SLOT_BYTES = 65_536 + 64;

    private final GuestRxLenders.Slot vmSlot;
    private final String vswitch;
    private final boolean zeroCopy;
    private MemorySegment hostSlots;
    private GuestRxPool pool;
    private GuestRxLender lending;
    private FrameBurst lentBurst;

    LendingUplinkPort(final String name, final GuestRxLenders.Slot vmSlot, final String vswitch, final boolean zeroCopy,
        final UplinkCounters counters, final ErrorLog errors)
    {
        super(name, counters, errors);
        this.vmSlot = vmSlot;
        this.vswitch = vswitch;
        this.zeroCopy = zeroCopy;
    }

    /** Frames lie in guest receive buffers, which their guest can write while the switch decides. */
    @Override
    public final boolean framesInGuestMemory()
    {
        return zeroCopy;
    }

    @Override
    public final int receive(final FrameBurst burst)
    {
        if (null == pool || pool.capacity() < burst.capacity())
        {
            // once per burst size: the switch's burst capacity is fixed while it runs
            pool = new GuestRxPool(burst.capacity());
            hostSlots = arena.allocate((long)burst.capacity() * HOST_SLOT_BYTES, 64);
            allocated(burst.capacity());
        }
        final GuestRxLender lender = zeroCopy ? lenderOnThisSwitch() : null;
        if (null != lender && lender.lend(pool, burst, burst.capacity()))
        {
            lending = lender;
            lentBurst = burst;
            final int frames = readIntoGuest(burst, pool);
            if (frames == 0)
            {
                endLend(lender, burst);
            }
            return frames;
        }
        return readIntoHost(burst);
    }

    /** Buffers for bursts of up to {@code capacity} frames were made; the subclass sizes its own. */
    protected abstract void allocated(int capacity);

    /**
     * Reads frames into entries of {@code pool} (taken with {@link GuestRxPool#take}, put back
     * when read in vain) and adds each to {@code burst} with its entry as token.
     *
     * @return frames in the burst
     */
    protected abstract int readIntoGuest(FrameBurst burst, GuestRxPool pool);

    /** Reads frames into {@link #hostSlot}s and adds each with token {@link GuestRxPool#NOT_LENT} | slot. @return frames in the burst */
    protected abstract int readIntoHost(FrameBurst burst);

    /** Native address of the uplink's own receive buffer {@code slot} ({@link #HOST_SLOT_BYTES}). */
    protected final long hostSlot(final int slot)
    {
        return hostSlots.address() + (long)slot * HOST_SLOT_BYTES;
    }

    private GuestRxLender lenderOnThisSwitch()
    {
        final GuestRxLender lender = vmSlot.lender();
        // lending works only within one switch: the VM port and this uplink share its thread
        return null != lender && vswitch.equals(vmSlot.vswitch()) ? lender : null;
    }

    @Override
    public final void release(final FrameBurst burst)
    {
        final GuestRxLender lender = lending;
        if (null != lender)
        {
            final int inPlace = pool.published();
            counters.zeroCopyPending += inPlace;
            counters.elsewherePending += burst.count() - inPlace;
            endLend(lender, burst);
        }
        else
        {
            counters.copyPending += burst.count();
        }
        counters.flush();
    }

    private void endLend(final GuestRxLender lender, final FrameBurst burst)
    {
        lending = null;
        lentBurst = null;
        lender.endLend(pool, burst);
    }

    @Override
    public final boolean contain(final Throwable fault)
    {
        final GuestRxLender lender = lending;
        if (null != lender)
        {
            // only this VM's memory is touched while its buffers are in the burst: its receive ring stops
            pool.endBurst(lentBurst);
            lending = null;
            lentBurst = null;
            lender.abandonLend(fault);
        }
        return true;
    }
}
