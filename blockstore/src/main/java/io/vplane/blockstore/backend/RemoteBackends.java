package io.vplane.blockstore.backend;

import io.vplane.config.HostPort;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;

/**
 * Where a remote ({@code nbd://}) backend may connect: only to a HOST:PORT on
 * {@code daemon.remoteBackends}, so a disk created through the API cannot make the daemon reach
 * any address it can route to.
 */
public final class RemoteBackends
{
    private RemoteBackends()
    {
    }

    /**
     * @param uri   {@code nbd://host[:port]/export}
     * @param allow the configured HOST:PORT entries
     * @return the URI as the disk's image path
     * @throws IllegalArgumentException when the URI is malformed or its endpoint is not allowed
     */
    public static Path allowed(final String uri, final List<String> allow)
    {
        final URI parsed;
        try
        {
            parsed = new URI(uri);
        }
        catch (final URISyntaxException ex)
        {
            throw new IllegalArgumentException("not an nbd://host[:port]/export URI: " + uri, ex);
        }
        if (null == parsed.getHost())
        {
            throw new IllegalArgumentException("not an nbd://host[:port]/export URI: " + uri);
        }
        final int port = parsed.getPort() < 0 ? NbdClientBackend.DEFAULT_PORT : parsed.getPort();
        for (final String entry : allow)
        {
            final HostPort endpoint = HostPort.parse(entry);
            if (null != endpoint && endpoint.matches(parsed.getHost(), port))
            {
                return Path.of(uri);
            }
        }
        throw new IllegalArgumentException("remote backend " + parsed.getHost() + ":" + port +
            " is not on daemon.remoteBackends " + allow);
    }
}
