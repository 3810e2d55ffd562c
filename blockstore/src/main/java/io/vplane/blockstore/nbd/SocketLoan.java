package io.vplane.blockstore.nbd;

import io.netty.channel.Channel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.vplane.blockstore.request.BlockQueue;
import io.vplane.blockstore.request.SocketSplicer;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * A connection's socket as lent to a blk worker while a large WRITE's data arrives (see
 * {@link SocketSplicer}): whether a WRITE may leave its data on the socket, whether the socket is
 * out, and the pause after a client kept a worker waiting. Used by the connection's event loop; the
 * worker the socket is lent to reads {@link #splicer()}.
 */
final class SocketLoan
{
    /**
     * After a client kept a worker waiting for WRITE data, the event loop receives its WRITEs for a
     * while: this long after a first stall, twice as long after each stall that follows the last
     * pause closely, up to {@link #MAX_PAUSE_NS}. A client descheduled once loses little; one that
     * keeps stalling costs the worker one wait budget a second at most.
     */
    private static final long MIN_PAUSE_NS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final long MAX_PAUSE_NS = TimeUnit.SECONDS.toNanos(1);

    /** Null until the first WRITE lent the socket. */
    private SocketSplicer splicer;
    /** No loans here: NIO transport, a disk that cannot take data from a pipe, or no descriptor to spare. */
    private boolean unavailable;
    /** Not lent before then (System.nanoTime()); nanoTime's origin is arbitrary, so it starts at now. */
    private long pausedUntilNs = System.nanoTime();
    private long pauseNs = MIN_PAUSE_NS;
    private boolean lent;

    /**
     * Whether a WRITE whose {@code missing} bytes have not arrived may leave them to the worker:
     * enough of them to be worth it, and no pause; opens the splicer at the first loan.
     */
    boolean mayLend(final int missing, final Channel channel, final BlockQueue sink, final NbdServerMetrics metrics,
        final String peer)
    {
        // whether the disk's service receives from sockets now: it changes when its backend is upgraded
        if (missing < NbdConnection.SOCKET_PAYLOAD_BYTES || unavailable || System.nanoTime() - pausedUntilNs < 0 ||
            !sink.receivesFromSockets())
        {
            return false;
        }
        if (null == splicer)
        {
            // only epoll reads nothing while reading is paused; io_uring may hold a receive submitted
            if (!(channel instanceof final EpollSocketChannel unix))
            {
                unavailable = true;
                return false;
            }
            try
            {
                splicer = SocketSplicer.open(unix.fd().intValue());
            }
            catch (final IOException ex)
            {
                unavailable = true;
                metrics.errors().record("nbd", "splice", peer + ": large WRITEs go through the event loop: " + ex.getMessage());
                return false;
            }
        }
        return true;
    }

    void lend()
    {
        lent = true;
    }

    /** The worker gave the socket back; {@code stalled}: because the client kept it waiting. */
    void returned(final boolean stalled)
    {
        lent = false;
        if (stalled)
        {
            final long now = System.nanoTime();
            final boolean again = now - pausedUntilNs < pauseNs;
            pauseNs = again ? Math.min(2 * pauseNs, MAX_PAUSE_NS) : MIN_PAUSE_NS;
            pausedUntilNs = now + pauseNs;
        }
    }

    /** A worker reads the socket: Netty must not until it is returned. */
    boolean lent()
    {
        return lent;
    }

    SocketSplicer splicer()
    {
        return splicer;
    }

    /** The connection closed: frees the descriptors unless a worker still holds them (then {@link #returned} is followed by this). */
    void closeUnlessLent()
    {
        if (!lent && null != splicer)
        {
            splicer.close();
            splicer = null;
        }
    }
}
