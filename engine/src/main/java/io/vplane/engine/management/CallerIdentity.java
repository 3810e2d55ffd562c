package io.vplane.engine.management;

import io.netty.channel.Channel;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.unix.PeerCredentials;

import java.io.IOException;

/**
 * Who is on the other end of a management connection, for the audit log: the uid and pid the
 * kernel recorded when a Unix-socket caller connected (SO_PEERCRED, unix(7)), which the caller
 * cannot forge, or the address of a TCP caller.
 */
final class CallerIdentity
{
    private CallerIdentity()
    {
    }

    static String of(final Channel channel)
    {
        if (channel instanceof final EpollDomainSocketChannel unix)
        {
            try
            {
                final PeerCredentials credentials = unix.peerCredentials();
                return "uid=" + credentials.uid() + " pid=" + credentials.pid();
            }
            catch (final IOException ex)
            {
                return "uid=? (SO_PEERCRED failed: " + ex.getMessage() + ")";
            }
        }
        return "peer=" + channel.remoteAddress();
    }
}
