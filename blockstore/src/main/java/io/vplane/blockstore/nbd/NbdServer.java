package io.vplane.blockstore.nbd;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The NBD listener: Netty on the transport and event loops of {@link NbdEventLoops}. Event loops
 * only decode and encode; file I/O runs on the blk workers. TCP_NODELAY because NBD is
 * request/response and every reply is written whole.
 */
public final class NbdServer implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(NbdServer.class);

    /**
     * Receive buffers adapt between these sizes (Netty's defaults). The data of a large WRITE is
     * mostly received by a blk worker straight from the socket (SocketSplicer); only what arrived
     * in the same read as its header comes through a buffer and is copied twice, so buffers larger
     * than 64 KiB cost 1 MiB WRITEs speed (fio, QD8) and gave 4 KiB random writes nothing.
     */
    private static final int MIN_RECEIVE_BYTES = 64;
    private static final int INITIAL_RECEIVE_BYTES = 2048;
    private static final int MAX_RECEIVE_BYTES = 64 * 1024;

    private final EventLoopGroup group;
    private final Channel listener;

    private NbdServer(final EventLoopGroup group, final Channel listener)
    {
        this.group = group;
        this.listener = listener;
    }

    /**
     * @param loops  the event loops: how many, pinned where, on which transport
     * @param tls    offered with NBD_OPT_STARTTLS; null: no TLS
     * @param limits what one client may hold (handshake time, options, connections, unsent replies)
     */
    public static NbdServer start(
        final String bindAddress, final int port, final NbdEventLoops loops, final ExportDirectory directory,
        final NbdServerMetrics metrics, final SslContext tls, final NbdLimits limits) throws InterruptedException
    {
        final ConnectionCaps caps = new ConnectionCaps(limits);
        final EventLoopGroup group = loops.newGroup();
        try
        {
            final Channel listener = new ServerBootstrap()
                .group(group)
                .channel(loops.serverChannel())
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK,
                    new WriteBufferWaterMark(limits.writeHighWaterBytes() / 2, limits.writeHighWaterBytes()))
                .childOption(ChannelOption.RCVBUF_ALLOCATOR,
                    new AdaptiveRecvByteBufAllocator(MIN_RECEIVE_BYTES, INITIAL_RECEIVE_BYTES, MAX_RECEIVE_BYTES))
                .childHandler(new ChannelInitializer<SocketChannel>()
                {
                    @Override
                    protected void initChannel(final SocketChannel ch)
                    {
                        ch.pipeline().addLast(new NbdConnection(directory, metrics, tls, limits, caps));
                    }
                })
                .bind(bindAddress, port).sync().channel();
            LOG.info("NBD server listening on {} ({}, {} event loops)", listener.localAddress(), loops.transport().configName(),
                loops.threads());
            return new NbdServer(group, listener);
        }
        catch (final RuntimeException | InterruptedException ex)
        {
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            throw ex;
        }
    }

    public int port()
    {
        return ((InetSocketAddress)listener.localAddress()).getPort();
    }

    @Override
    public void close()
    {
        listener.close().syncUninterruptibly();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
