package io.vplane.nic.uplink;

import io.vplane.engine.counters.Counters;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * The counters of one uplink, summed on the switch's thread during a cycle and published once per
 * cycle ({@link #flush}). Received frames are split by where they were read into: a guest's
 * receive buffer and delivered there ({@code zero_copy}), a guest's buffer but switched elsewhere
 * ({@code guest_buffer_elsewhere}: proxy replies, other VMs, drops), or the uplink's own memory
 * ({@code copy}: the switch copies them into a guest).
 */
final class UplinkCounters implements AutoCloseable
{
    static final String FRAMES = "vplane_uplink_frames_total";
    static final String BYTES = "vplane_uplink_bytes_total";
    static final String RX_PATH = "vplane_uplink_rx_path_total";
    static final String DROPS = "vplane_uplink_drops_total";
    static final String RX_CALLS = "vplane_uplink_rx_calls_total";
    /** Of the frames received since the uplink opened, the percentage received into a guest's buffer and delivered there. */
    static final String ZERO_COPY_SHARE = "vplane_uplink_zero_copy_share_percent";

    enum Drop
    {
        SHORT_FRAME, FRAME_TOO_BIG, SCATTERED, READ_ERROR, WRITE_ERROR, BAD_VXLAN_HEADER, WRONG_VNI,
        /** AF_XDP: the tx ring had no free frame; the kernel dropped a frame (no fill buffer, too long), or found the rx ring full. */
        TX_RING_FULL, KERNEL_RX_DROPPED, KERNEL_RX_RING_FULL,
        /** AF_XDP: a guest receive buffer smaller than the kernel may write, kept out of the fill ring (its ring then copies). */
        GUEST_BUFFER_UNFIT;

        final String label = name().toLowerCase(java.util.Locale.ROOT);
    }

    private final AtomicCounter rxFrames;
    private final AtomicCounter rxBytes;
    private final AtomicCounter txFrames;
    private final AtomicCounter txBytes;
    private final AtomicCounter zeroCopy;
    private final AtomicCounter guestBufferElsewhere;
    private final AtomicCounter copy;
    private final AtomicCounter[] drops = new AtomicCounter[Drop.values().length];
    private final AtomicCounter rxCalls;
    private final AtomicCounter rxEmptyCalls;
    private final AtomicCounter zeroCopyShare;

    long rxFramesPending;
    long rxBytesPending;
    long txFramesPending;
    long txBytesPending;
    long zeroCopyPending;
    long elsewherePending;
    long copyPending;
    /** Receive system calls (readv, io_uring_enter, recvmmsg) that brought frames, and those that found none. */
    long rxCallsPending;
    long rxEmptyCallsPending;
    final long[] dropsPending = new long[Drop.values().length];

    UplinkCounters(final Counters counters, final String uplink)
    {
        rxFrames = counters.counter(FRAMES, "uplink", uplink, "dir", "rx");
        rxBytes = counters.counter(BYTES, "uplink", uplink, "dir", "rx");
        txFrames = counters.counter(FRAMES, "uplink", uplink, "dir", "tx");
        txBytes = counters.counter(BYTES, "uplink", uplink, "dir", "tx");
        zeroCopy = counters.counter(RX_PATH, "uplink", uplink, "path", "zero_copy");
        guestBufferElsewhere = counters.counter(RX_PATH, "uplink", uplink, "path", "guest_buffer_elsewhere");
        copy = counters.counter(RX_PATH, "uplink", uplink, "path", "copy");
        for (final Drop drop : Drop.values())
        {
            drops[drop.ordinal()] = counters.counter(DROPS, "uplink", uplink, "reason", drop.label);
        }
        rxCalls = counters.counter(RX_CALLS, "uplink", uplink, "result", "frames");
        rxEmptyCalls = counters.counter(RX_CALLS, "uplink", uplink, "result", "empty");
        zeroCopyShare = counters.gauge(ZERO_COPY_SHARE, "uplink", uplink);
    }

    void drop(final Drop reason)
    {
        dropsPending[reason.ordinal()]++;
    }

    /** Publishes what this cycle counted (one release add per counter that moved). */
    void flush()
    {
        rxFrames.getAndAddRelease(rxFramesPending);
        rxBytes.getAndAddRelease(rxBytesPending);
        txFrames.getAndAddRelease(txFramesPending);
        txBytes.getAndAddRelease(txBytesPending);
        zeroCopy.getAndAddRelease(zeroCopyPending);
        guestBufferElsewhere.getAndAddRelease(elsewherePending);
        copy.getAndAddRelease(copyPending);
        if ((zeroCopyPending | elsewherePending | copyPending) != 0)
        {
            final long zero = zeroCopy.get();
            zeroCopyShare.setRelease(zero * 100 / Math.max(1, zero + guestBufferElsewhere.get() + copy.get()));
        }
        if (rxCallsPending != 0 || rxEmptyCallsPending != 0)
        {
            rxCalls.getAndAddRelease(rxCallsPending);
            rxEmptyCalls.getAndAddRelease(rxEmptyCallsPending);
            rxCallsPending = rxEmptyCallsPending = 0;
        }
        rxFramesPending = rxBytesPending = txFramesPending = txBytesPending = 0;
        zeroCopyPending = elsewherePending = copyPending = 0;
        for (int i = 0; i < dropsPending.length; i++)
        {
            if (dropsPending[i] != 0)
            {
                drops[i].getAndAddRelease(dropsPending[i]);
                dropsPending[i] = 0;
            }
        }
    }


    long zeroCopyTotal()
    {
        return zeroCopy.get();
    }

    long copyTotal()
    {
        return copy.get();
    }

    long rxFramesTotal()
    {
        return rxFrames.get();
    }

    long txFramesTotal()
    {
        return txFrames.get();
    }

    long rxCallsTotal()
    {
        return rxCalls.get();
    }

    long drops(final Drop reason)
    {
        return drops[reason.ordinal()].get();
    }

    long zeroCopyShare()
    {
        return zeroCopyShare.get();
    }

    @Override
    public void close()
    {
        zeroCopyShare.close();
        rxFrames.close();
        rxBytes.close();
        txFrames.close();
        txBytes.close();
        zeroCopy.close();
        guestBufferElsewhere.close();
        copy.close();
        rxCalls.close();
        rxEmptyCalls.close();
        for (final AtomicCounter counter : drops)
        {
            counter.close();
        }
    }
}
