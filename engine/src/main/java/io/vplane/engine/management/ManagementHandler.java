package io.vplane.engine.management;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.regex.Pattern;

/**
 * Turns an aggregated HTTP request into a call of {@link ManagementRoutes} and writes the reply.
 * The call runs on the API executor, never on the I/O thread, because API calls may block.
 */
@ChannelHandler.Sharable
final class ManagementHandler extends SimpleChannelInboundHandler<FullHttpRequest>
{
    private static final Logger LOG = LoggerFactory.getLogger(ManagementHandler.class);
    /** One line per request that may change something, refused or not; a logger of its own so it can be routed apart. */
    private static final Logger AUDIT = LoggerFactory.getLogger("io.vplane.audit");
    private static final Pattern UNPRINTABLE = Pattern.compile("[^\\x21-\\x7e]");

    private final ManagementRoutes routes;
    private final RequestGuard guard;
    private final Executor apiExecutor;

    ManagementHandler(final ManagementRoutes routes, final RequestGuard guard, final Executor apiExecutor)
    {
        this.routes = routes;
        this.guard = guard;
        this.apiExecutor = apiExecutor;
    }

    @Override
    protected void channelRead0(final ChannelHandlerContext ctx, final FullHttpRequest request)
    {
        final boolean keepAlive = HttpUtil.isKeepAlive(request) && !request.decoderResult().isFailure();
        final boolean keepAliveHeader = keepAlive && !request.protocolVersion().isKeepAliveDefault();
        if (request.decoderResult().isFailure())
        {
            write(ctx, HttpReply.json(400, "{\"error\":\"malformed HTTP request\"}"), false, false);
            return;
        }

        // Copy what the call needs: the request is released when this method returns.
        final String method = request.method().name();
        final String uri = request.uri();
        final boolean mutating = RequestGuard.isMutating(request.method());
        final HttpReply refusal = guard.refusal(
            request.method(), request.headers(), request.content().readableBytes(), localInetAddress(ctx));
        if (null != refusal)
        {
            audit(ctx, mutating, method, uri, refusal.status());
            write(ctx, refusal, keepAlive, keepAliveHeader);
            return;
        }
        final String body = request.content().toString(StandardCharsets.UTF_8);
        try
        {
            apiExecutor.execute(() ->
            {
                final HttpReply reply = routes.handle(method, uri, body);
                audit(ctx, mutating, method, uri, reply.status());
                write(ctx, reply, keepAlive, keepAliveHeader);
            });
        }
        catch (final RejectedExecutionException ex)
        {
            write(ctx, HttpReply.json(503, "{\"error\":\"the management API is shutting down\"}"), false, false);
        }
    }

    private static SocketAddress localInetAddress(final ChannelHandlerContext ctx)
    {
        final SocketAddress local = ctx.channel().localAddress();
        return local instanceof InetSocketAddress ? local : null;
    }

    private static void audit(final ChannelHandlerContext ctx, final boolean mutating, final String method, final String uri,
        final int status)
    {
        if (mutating)
        {
            // The caller chose the URI: nothing but printable ASCII reaches the log.
            AUDIT.info("{} {} {} -> {}", CallerIdentity.of(ctx.channel()), method,
                UNPRINTABLE.matcher(uri).replaceAll("?"), status);
        }
    }

    private static void write(
        final ChannelHandlerContext ctx, final HttpReply reply, final boolean keepAlive, final boolean keepAliveHeader)
    {
        final FullHttpResponse response = new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(reply.status()), Unpooled.wrappedBuffer(reply.body()));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, reply.contentType());
        if (401 == reply.status())
        {
            response.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer");
        }
        if (null != reply.allow())
        {
            response.headers().set(HttpHeaderNames.ALLOW, reply.allow());
        }
        HttpUtil.setContentLength(response, reply.body().length);
        if (!keepAlive)
        {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        else if (keepAliveHeader)
        {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }

        final ChannelFuture future = ctx.writeAndFlush(response);
        if (!keepAlive)
        {
            future.addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
    {
        LOG.debug("management API connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
