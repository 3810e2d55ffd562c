package io.vplane.engine.management;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.vplane.engine.device.DeviceKinds;
import org.agrona.concurrent.status.CountersReader;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP management API: status, config, reload, placement and Prometheus metrics. One I/O thread
 * parses HTTP; one API thread runs the requests, so API calls never run concurrently (the
 * {@link ManagementApi} needs no locking of its own for them) and may block without stalling I/O.
 * Close it before the counters file its reader comes from.
 */
public final class ManagementServer implements AutoCloseable
{
    private static final int MAX_REQUEST_BYTES = 1024 * 1024;
    private static final long API_DRAIN_TIMEOUT_MS = 5_000;

    private final String bindAddress;
    private final int port;
    private final ManagementRoutes routes;
    private EventLoopGroup ioGroup;
    private ExecutorService apiExecutor;
    private Channel serverChannel;
    private String baseUrl;

    /**
     * @param bindAddress address to listen on
     * @param port        TCP port; 0 picks a free one
     * @param api         what the routes call
     * @param reader      counters served at {@code /metrics}
     */
    public ManagementServer(final String bindAddress, final int port, final ManagementApi api, final CountersReader reader)
    {
        this(bindAddress, port, api, reader, DeviceKinds.load().managementExtensions());
    }

    /**
     * @param extensions the routes of the daemon's device kinds
     */
    public ManagementServer(
        final String bindAddress, final int port, final ManagementApi api, final CountersReader reader,
        final List<ManagementExtension> extensions)
    {
        this.bindAddress = bindAddress;
        this.port = port;
        this.routes = new ManagementRoutes(api, reader, extensions);
    }

    /**
     * Binds and starts serving.
     *
     * @return the base URL, {@code http://HOST:PORT}, with the port actually bound
     */
    public synchronized String start()
    {
        if (null != serverChannel)
        {
            throw new IllegalStateException("management API already started at " + baseUrl);
        }
        ioGroup = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("vplane-mgmt-io", true), NioIoHandler.newFactory());
        apiExecutor = Executors.newSingleThreadExecutor(new DefaultThreadFactory("vplane-mgmt-api", true));
        final ManagementHandler handler = new ManagementHandler(routes, apiExecutor);
        try
        {
            final ServerBootstrap bootstrap = new ServerBootstrap()
                .group(ioGroup)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>()
                {
                    @Override
                    protected void initChannel(final SocketChannel channel)
                    {
                        channel.pipeline()
                            .addLast("http", new HttpServerCodec())
                            .addLast("aggregator", new HttpObjectAggregator(MAX_REQUEST_BYTES))
                            .addLast("api", handler);
                    }
                });
            serverChannel = bootstrap.bind(bindAddress, port).syncUninterruptibly().channel();
        }
        catch (final Exception ex) // Netty rethrows the checked BindException as is
        {
            shutdown();
            throw new IllegalStateException(
                "cannot start the management API on " + bindAddress + ":" + port + ": " + ex.getMessage(), ex);
        }
        baseUrl = "http://" + urlHost((InetSocketAddress)serverChannel.localAddress());
        return baseUrl;
    }

    /** @return the base URL once started, else {@code null} */
    public synchronized String baseUrl()
    {
        return baseUrl;
    }

    @Override
    public synchronized void close()
    {
        if (null != serverChannel)
        {
            serverChannel.close().syncUninterruptibly();
            serverChannel = null;
        }
        shutdown();
    }

    // API executor before the I/O threads, so a call in flight can still send its answer.
    private void shutdown()
    {
        if (null != apiExecutor)
        {
            apiExecutor.shutdown();
            try
            {
                if (!apiExecutor.awaitTermination(API_DRAIN_TIMEOUT_MS, TimeUnit.MILLISECONDS))
                {
                    apiExecutor.shutdownNow();
                }
            }
            catch (final InterruptedException ex)
            {
                apiExecutor.shutdownNow();
                Thread.currentThread().interrupt();
            }
            apiExecutor = null;
        }
        if (null != ioGroup)
        {
            ioGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
            ioGroup = null;
        }
    }

    // A wildcard bind is reachable at loopback; that is the URL local tools should use.
    private static String urlHost(final InetSocketAddress address)
    {
        InetAddress host = address.getAddress();
        if (host.isAnyLocalAddress())
        {
            host = host instanceof Inet6Address ? InetAddress.getLoopbackAddress() : loopbackV4();
        }
        final String text = host instanceof Inet6Address ? "[" + stripScope(host.getHostAddress()) + "]" : host.getHostAddress();
        return text + ":" + address.getPort();
    }

    private static InetAddress loopbackV4()
    {
        try
        {
            return InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
        }
        catch (final UnknownHostException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    private static String stripScope(final String address)
    {
        final int percent = address.indexOf('%');
        return percent < 0 ? address : address.substring(0, percent);
    }
}
