package io.vplane.blockstore.nbd;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.vplane.blockstore.config.NbdTransport;
import io.vplane.engine.worker.IoThreads;

import java.util.concurrent.ThreadFactory;

/**
 * The NBD server's event loops: the blk type's I/O threads of the config (how many, pinned where),
 * on the transport the config names, resolved against what this kernel and its native libraries
 * offer. A transport asked for and not available is refused with Netty's reason.
 *
 * @param transport the transport the loops run on (never {@link NbdTransport#AUTO})
 * @param threads   how many
 * @param io        the blk type's I/O threads, which pin each loop as it starts
 */
public record NbdEventLoops(NbdTransport transport, int threads, IoThreads io)
{
    public static NbdEventLoops of(final NbdTransport wanted, final IoThreads io)
    {
        return new NbdEventLoops(resolve(wanted), io.count(), io);
    }

    static NbdTransport resolve(final NbdTransport wanted)
    {
        return switch (wanted)
        {
            case AUTO -> IoUring.isAvailable() ? NbdTransport.IO_URING : Epoll.isAvailable() ? NbdTransport.EPOLL : NbdTransport.NIO;
            case IO_URING ->
            {
                IoUring.ensureAvailability();
                yield NbdTransport.IO_URING;
            }
            case EPOLL ->
            {
                Epoll.ensureAvailability();
                yield NbdTransport.EPOLL;
            }
            case NIO -> NbdTransport.NIO;
        };
    }

    EventLoopGroup newGroup()
    {
        final IoHandlerFactory handler = switch (transport)
        {
            case IO_URING -> IoUringIoHandler.newFactory();
            case EPOLL -> EpollIoHandler.newFactory();
            default -> NioIoHandler.newFactory();
        };
        // Netty's factory makes its fast thread-local threads; the config's pinning runs first in each
        final ThreadFactory netty = new DefaultThreadFactory("vplane-blk-io", true);
        return new MultiThreadIoEventLoopGroup(threads, (ThreadFactory)body -> netty.newThread(io.pinned(body)), handler);
    }

    Class<? extends ServerChannel> serverChannel()
    {
        return switch (transport)
        {
            case IO_URING -> IoUringServerSocketChannel.class;
            case EPOLL -> EpollServerSocketChannel.class;
            default -> NioServerSocketChannel.class;
        };
    }
}
