package io.vplane.blockstore.nbd;

import io.netty.channel.ChannelHandlerContext;

import java.net.InetAddress;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * What one connection may hold of the server ({@link NbdLimits}): its place under the connection
 * caps, the time its handshake may take, and how long its peer may leave replies unread. Event
 * loop only.
 */
final class ConnectionGuard
{
    private final NbdConnection connection;
    private final NbdLimits limits;
    private final ConnectionCaps caps;
    private InetAddress client;
    /** Counted by {@link #caps}, so released exactly once. */
    private boolean admitted;
    private ScheduledFuture<?> handshakeDeadline;
    /** Unsent replies passed the high-water mark: the peer is not reading, and neither is the connection. */
    private boolean unwritable;
    private ScheduledFuture<?> unwritableDeadline;

    ConnectionGuard(final NbdConnection connection, final NbdLimits limits, final ConnectionCaps caps)
    {
        this.connection = connection;
        this.limits = limits;
        this.caps = caps;
    }

    /** A new connection: @return null when admitted (its handshake clock starts), else why it is refused */
    String admit(final ChannelHandlerContext ctx, final InetAddress address)
    {
        final String refused = caps.admit(address);
        if (null == refused)
        {
            client = address;
            admitted = true;
            handshakeDeadline = ctx.executor().schedule(this::handshakeExpired, limits.handshakeTimeoutMs(),
                TimeUnit.MILLISECONDS);
        }
        return refused;
    }

    /** The transmission phase began: the handshake clock stops. */
    void handshakeDone()
    {
        cancel(handshakeDeadline);
    }

    /** Whether reading is held back because the peer reads no replies. */
    boolean unwritable()
    {
        return unwritable;
    }

    /**
     * Netty channel writability changed: past the high-water mark the peer's clock starts, and a
     * peer that stays so past the limit is dropped.
     *
     * @return true when the channel became writable again and reading may resume
     */
    boolean writabilityChanged(final ChannelHandlerContext ctx, final boolean writable)
    {
        if (!writable)
        {
            unwritable = true;
            cancel(unwritableDeadline);
            unwritableDeadline = ctx.executor().schedule(this::unwritableExpired, limits.unwritableTimeoutMs(),
                TimeUnit.MILLISECONDS);
            return false;
        }
        if (!unwritable)
        {
            return false;
        }
        unwritable = false;
        cancel(unwritableDeadline);
        return true;
    }

    void closed()
    {
        if (admitted)
        {
            admitted = false;
            caps.release(client);
        }
        cancel(handshakeDeadline);
        cancel(unwritableDeadline);
    }

    /** A client that has not chosen an export within the limit holds a descriptor for nothing. */
    private void handshakeExpired()
    {
        if (NbdConnection.State.HANDSHAKE == connection.state)
        {
            connection.fault("handshake-timeout", "no export chosen within " + limits.handshakeTimeoutMs() + " ms");
        }
    }

    private void unwritableExpired()
    {
        if (unwritable && NbdConnection.State.CLOSED != connection.state)
        {
            connection.fault("unread-replies", "read none of its replies for " + limits.unwritableTimeoutMs() + " ms");
        }
    }

    private static void cancel(final ScheduledFuture<?> timer)
    {
        if (null != timer)
        {
            timer.cancel(false);
        }
    }
}
