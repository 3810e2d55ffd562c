package io.vplane.vsock.device;

import io.vplane.engine.linux.TimerFd;

import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * The streams of one device waiting with a deadline: host programs that have not finished their
 * {@code CONNECT <port>} line, and REQUESTs the guest has not answered (Firecracker gives a guest
 * 2 s). One timeout per kind, so each kind's waiters are in deadline order and a FIFO is enough.
 * A stream that moved on stays in its queue until it reaches the head and is dropped there.
 * The timer fd wakes a worker sleeping in the device's epoll set for the earliest deadline.
 * Owned by the worker that polls the device.
 */
final class StreamDeadlines implements AutoCloseable
{
    private final long handshakeTimeoutNs;
    private final long requestTimeoutNs;
    private final ArrayDeque<VsockConnection> handshakes;
    private final ArrayDeque<VsockConnection> requests;
    private final TimerFd timer = new TimerFd();
    private long armedNs;

    StreamDeadlines(final long handshakeTimeoutNs, final long requestTimeoutNs, final int maxStreams)
    {
        this.handshakeTimeoutNs = handshakeTimeoutNs;
        this.requestTimeoutNs = requestTimeoutNs;
        this.handshakes = new ArrayDeque<>(maxStreams + 1);
        this.requests = new ArrayDeque<>(maxStreams + 1);
    }

    int timerFd()
    {
        return timer.fd();
    }

    /** The timer fired: readiness taken away, expiries are found by {@link #expire}. */
    void timerFired()
    {
        timer.consume();
        armedNs = 0;
    }

    long requestTimeoutNs()
    {
        return requestTimeoutNs;
    }

    long handshakeTimeoutNs()
    {
        return handshakeTimeoutNs;
    }

    /** A host program connected: its line is due within the handshake timeout. */
    void handshakeStarted(final VsockConnection connection, final long nowNs)
    {
        connection.deadlineNs = nowNs + handshakeTimeoutNs;
        handshakes.addLast(connection);
    }

    /** The device asked the guest for a stream (REQUEST queued): RESPONSE or RST is due within the request timeout. */
    void requestStarted(final VsockConnection connection, final long nowNs)
    {
        connection.deadlineNs = nowNs + requestTimeoutNs;
        requests.addLast(connection);
    }

    boolean isEmpty()
    {
        return handshakes.isEmpty() && requests.isEmpty();
    }

    /**
     * Hands each stream still in its waiting state past its deadline to its kind's action, drops
     * those that moved on, and sets the timer for the earliest deadline left.
     */
    void expire(final long nowNs, final Consumer<VsockConnection> handshakeExpired, final Consumer<VsockConnection> requestExpired)
    {
        sweep(handshakes, VsockConnection.State.HANDSHAKE, nowNs, handshakeExpired);
        sweep(requests, VsockConnection.State.REQUESTED, nowNs, requestExpired);
        long next = 0;
        if (!handshakes.isEmpty())
        {
            next = handshakes.peekFirst().deadlineNs;
        }
        if (!requests.isEmpty() && (0 == next || requests.peekFirst().deadlineNs - next < 0))
        {
            next = requests.peekFirst().deadlineNs;
        }
        if (next != armedNs)
        {
            timer.fireAt(next);
            armedNs = next;
        }
    }

    private static void sweep(
        final ArrayDeque<VsockConnection> queue, final VsockConnection.State waiting, final long nowNs,
        final Consumer<VsockConnection> expired)
    {
        while (!queue.isEmpty())
        {
            final VsockConnection connection = queue.peekFirst();
            if (!connection.closed && waiting == connection.state)
            {
                if (connection.deadlineNs - nowNs > 0)
                {
                    return;
                }
                queue.pollFirst();
                expired.accept(connection);
            }
            else
            {
                queue.pollFirst();
            }
        }
    }

    /** The frontend is gone and its streams with it. */
    void clear()
    {
        handshakes.clear();
        requests.clear();
    }

    @Override
    public void close()
    {
        timer.close();
    }
}
