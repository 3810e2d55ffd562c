package io.vplane.blockstore.nbd;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts a server's open connections, all together and per client address, and refuses one past
 * {@link NbdLimits#maxConnections()} or {@link NbdLimits#maxConnectionsPerClient()}: one client
 * cannot take every descriptor or event loop from the others. Any event loop.
 */
final class ConnectionCaps
{
    private final NbdLimits limits;
    private final AtomicInteger open = new AtomicInteger();
    private final ConcurrentHashMap<InetAddress, Integer> perClient = new ConcurrentHashMap<>();

    ConnectionCaps(final NbdLimits limits)
    {
        this.limits = limits;
    }

    /** @return null when admitted (then {@link #release} once it closes), else why not */
    String admit(final InetAddress client)
    {
        if (open.incrementAndGet() > limits.maxConnections())
        {
            open.decrementAndGet();
            return limits.maxConnections() + " connections are open (the server's limit)";
        }
        if (null != client)
        {
            if (perClient.merge(client, 1, Integer::sum) > limits.maxConnectionsPerClient())
            {
                release(client);
                return limits.maxConnectionsPerClient() + " connections from this address are open (the limit per client)";
            }
        }
        return null;
    }

    void release(final InetAddress client)
    {
        open.decrementAndGet();
        if (null != client)
        {
            perClient.computeIfPresent(client, (address, count) -> 1 == count ? null : count - 1);
        }
    }
}
