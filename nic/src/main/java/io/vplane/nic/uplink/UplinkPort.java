package io.vplane.nic.uplink;

import io.vplane.engine.errors.ErrorLog;
import io.vplane.engine.linux.Errno;
import io.vplane.nic.vswitch.PortRole;
import io.vplane.nic.vswitch.SwitchPort;

import java.lang.foreign.Arena;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * What every uplink port shares, on the switch's thread: its name and role, its counters and the
 * helpers that count receive calls and failures, its native memory, and the hand-over when the
 * switch lets go of it.
 */
abstract class UplinkPort implements SwitchPort
{
    static final int MIN_FRAME = 14;

    protected final UplinkCounters counters;
    protected final ErrorLog errors;
    protected final Arena arena = Arena.ofShared();
    private final String name;
    private final CountDownLatch detachedLatch = new CountDownLatch(1);

    UplinkPort(final String name, final UplinkCounters counters, final ErrorLog errors)
    {
        this.name = name;
        this.counters = counters;
        this.errors = errors;
    }

    @Override
    public final String name()
    {
        return name;
    }

    @Override
    public final PortRole role()
    {
        return PortRole.UPLINK;
    }

    /** Counts a frame read, returning whether it is long enough to switch. */
    protected final boolean received(final long frameBytes)
    {
        if (frameBytes < MIN_FRAME)
        {
            counters.drop(UplinkCounters.Drop.SHORT_FRAME);
            return false;
        }
        counters.rxFramesPending++;
        counters.rxBytesPending += frameBytes;
        return true;
    }

    /** One receive system call was made; {@code frames} it brought (0: it found none). */
    protected final void receiveCall(final int frames)
    {
        if (frames > 0)
        {
            counters.rxCallsPending++;
        }
        else
        {
            counters.rxEmptyCallsPending++;
        }
    }

    protected final void readFailed(final String call, final long rc)
    {
        counters.drop(UplinkCounters.Drop.READ_ERROR);
        errors.record("uplink", call, name + ": " + call + " failed: " + Errno.describe((int)-rc));
    }

    /** A send failed: one log line per kind of failure (a full queue, EAGAIN, is only counted by the caller). */
    protected final void sendFailed(final String call, final long rc)
    {
        if (rc != -Errno.EAGAIN)
        {
            errors.record("uplink", call, name + ": " + call + " failed: " + Errno.describe((int)-rc));
        }
    }

    @Override
    public void flush()
    {
        counters.flush();
    }

    @Override
    public final void detached()
    {
        detachedLatch.countDown();
    }

    /** Control thread, after leaving the switch: waits until the switch has stopped calling this port. */
    final boolean awaitDetached(final long timeoutMs)
    {
        try
        {
            return detachedLatch.await(timeoutMs, TimeUnit.MILLISECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** After the switch let go of this port: frees its memory. */
    void close()
    {
        arena.close();
    }
}
