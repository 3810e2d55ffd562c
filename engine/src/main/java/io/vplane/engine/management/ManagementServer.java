package io.vplane.engine.management;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.vplane.engine.confine.UnixListener;
import io.vplane.engine.device.DeviceKinds;
import org.agrona.concurrent.status.CountersReader;


import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP management API: status, config, reload, placement and Prometheus metrics. One I/O thread
 * parses HTTP; one API thread runs the requests, so API calls never run concurrently (the
 * {@link ManagementApi} needs no locking of its own for them) and may block without stalling I/O.
 * It listens on a Unix socket by default, or on TCP with a bearer token (see {@link ManagementListener}).
 * Close it before the counters file its reader comes from.
 */
public final class ManagementServer implements AutoCloseable
{
    private static final int MAX_REQUEST_BYTES = 1024 * 1024;
    private static final long API_DRAIN_TIMEOUT_MS = 5_000;
    private static final String UNIX_SCHEME = "unix:";
    private static final int SOMAXCONN = 4096;

    private final ManagementListener listener;
    private final ManagementRoutes routes;
    private EventLoopGroup ioGroup;
    private ExecutorService apiExecutor;
    private Channel serverChannel;
    /** The Unix socket's file and directory, kept until the channel that owns the socket is closed. */
    private UnixListener unixListener;
    private String baseUrl;

    /**
     * @param listener where to listen
     * @param api      what the routes call
     * @param reader   counters served at {@code /metrics}
     */
    public ManagementServer(final ManagementListener listener, final ManagementApi api, final CountersReader reader)
    {
        this(listener, api, reader, DeviceKinds.load().managementExtensions());
    }

    /**
     * @param extensions the routes of the daemon's device kinds
     */
    public ManagementServer(
        final ManagementListener listener, final ManagementApi api, final CountersReader reader,
        final List<ManagementExtension> extensions)
    {
        this.listener = listener;
        this.routes = new ManagementRoutes(api, reader, extensions);
    }

    /**
     * Binds and starts serving.
     *
     * @return where clients reach it: {@code unix:PATH}, or {@code http(s)://HOST:PORT} with the port actually bound
     */
    public synchronized String start()
    {
        if (null != serverChannel)
        {
            throw new IllegalStateException("management API already started at " + baseUrl);
        }
        ioGroup = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("vplane-mgmt-io", true), EpollIoHandler.newFactory());
        apiExecutor = Executors.newSingleThreadExecutor(new DefaultThreadFactory("vplane-mgmt-api", true));
        try
        {
            baseUrl = switch (listener)
            {
                case final ManagementListener.UnixSocket unix -> startUnix(unix);
                case final ManagementListener.Tcp tcp -> startTcp(tcp);
            };
        }
        catch (final Exception ex) // Netty rethrows the checked BindException as is
        {
            shutdown();
            throw new IllegalStateException("cannot start the management API on " + where() + ": " + ex.getMessage(), ex);
        }
        return baseUrl;
    }

    private String startUnix(final ManagementListener.UnixSocket unix) throws IOException
    {
        unixListener = UnixListener.bind(unix.path(), SOMAXCONN);
        final ManagementHandler handler = new ManagementHandler(routes, RequestGuard.forUnixSocket(), apiExecutor);
        // Netty adopts the bound, listening socket (as for one inherited from systemd) and closes it with the channel.
        final int fd = unixListener.handOver();
        serverChannel = new ServerBootstrap()
            .group(ioGroup)
            .channelFactory(() -> new EpollServerDomainSocketChannel(fd, true))
            .childHandler(httpPipeline(handler, null))
            .register()
            .syncUninterruptibly()
            .channel();
        // The run directory (0700/0750) keeps others out until the mode is set.
        Files.setPosixFilePermissions(unix.path(), PosixFilePermissions.fromString("rw-rw----"));
        if (!unix.group().isEmpty())
        {
            final GroupPrincipal group = unix.path().getFileSystem().getUserPrincipalLookupService()
                .lookupPrincipalByGroupName(unix.group());
            Files.getFileAttributeView(unix.path(), PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).setGroup(group);
        }
        return UNIX_SCHEME + unix.path();
    }

    private String startTcp(final ManagementListener.Tcp tcp) throws IOException
    {
        final SslContext tls = null == tcp.tls() ? null :
            SslContextBuilder.forServer(tcp.tls().certFile().toFile(), tcp.tls().keyFile().toFile()).build();
        final ManagementHandler handler = new ManagementHandler(routes, RequestGuard.forTcp(tcp.token(), tcp.bindAddress()), apiExecutor);
        serverChannel = new ServerBootstrap()
            .group(ioGroup)
            .channel(EpollServerSocketChannel.class)
            .childHandler(httpPipeline(handler, tls))
            .bind(tcp.bindAddress(), tcp.port())
            .syncUninterruptibly()
            .channel();
        return (null == tls ? "http://" : "https://") + urlHost((InetSocketAddress)serverChannel.localAddress());
    }

    private static ChannelInitializer<Channel> httpPipeline(final ManagementHandler handler, final SslContext tls)
    {
        return new ChannelInitializer<>()
        {
            @Override
            protected void initChannel(final Channel channel)
            {
                if (null != tls)
                {
                    channel.pipeline().addLast("tls", tls.newHandler(channel.alloc()));
                }
                channel.pipeline()
                    .addLast("http", new HttpServerCodec())
                    .addLast("aggregator", new HttpObjectAggregator(MAX_REQUEST_BYTES))
                    .addLast("api", handler);
            }
        };
    }

    private String where()
    {
        return switch (listener)
        {
            case final ManagementListener.UnixSocket unix -> unix.path().toString();
            case final ManagementListener.Tcp tcp -> tcp.bindAddress() + ":" + tcp.port();
        };
    }

    /** @return the base URL once started, else {@code null} */
    public synchronized String baseUrl()
    {
        return baseUrl;
    }

    @Override
    public synchronized void close()
    {
        shutdown();
    }

    // The listening socket, then its file; the API executor before the I/O threads, so a call in
    // flight can still send its answer.
    private void shutdown()
    {
        if (null != serverChannel)
        {
            serverChannel.close().syncUninterruptibly();
            serverChannel = null;
        }
        if (null != unixListener)
        {
            unixListener.close();
            unixListener = null;
        }
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
