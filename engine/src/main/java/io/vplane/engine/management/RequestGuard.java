package io.vplane.engine.management;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.vplane.config.IpLiteral;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Arrays;
import java.util.Locale;

/**
 * Decides whether a request may reach the routes at all, before anything runs:
 * <ul>
 *   <li>its {@code Host} must name this listener (a page whose name was rebound to this address
 *       sends its own name: DNS rebinding);</li>
 *   <li>an {@code Origin}, when sent, must be this listener too (a page elsewhere: CSRF);</li>
 *   <li>on TCP it must carry the bearer token;</li>
 *   <li>a request that changes something must send {@code application/json}, a type no HTML form
 *       can send and no page can send elsewhere without a CORS preflight this API never grants.</li>
 * </ul>
 */
final class RequestGuard
{
    static final String LOCALHOST = "localhost";
    private static final String JSON_MEDIA_TYPE = "application/json";

    private final BearerToken token;
    private final String configuredName;

    private RequestGuard(final BearerToken token, final String configuredName)
    {
        this.token = token;
        this.configuredName = configuredName;
    }

    /** Callers name the socket {@code localhost}, as curl --unix-socket and every HTTP client over one do. */
    static RequestGuard forUnixSocket()
    {
        return new RequestGuard(null, LOCALHOST);
    }

    /**
     * @param bindAddress the configured address: a host name given there is accepted as a name of the listener
     */
    static RequestGuard forTcp(final BearerToken token, final String bindAddress)
    {
        return new RequestGuard(token, IpLiteral.isLiteral(bindAddress) ? null : bindAddress.toLowerCase(Locale.ROOT));
    }

    static boolean isMutating(final HttpMethod method)
    {
        return !(HttpMethod.GET.equals(method) || HttpMethod.HEAD.equals(method) || HttpMethod.OPTIONS.equals(method));
    }

    /**
     * @param local the address the request came in on (null for a Unix socket)
     * @return the refusal to send, or null when the request may run
     */
    HttpReply refusal(final HttpMethod method, final HttpHeaders headers, final int bodyBytes, final SocketAddress local)
    {
        final String host = headers.get(HttpHeaderNames.HOST);
        if (null == host || !namesThisListener(host, local))
        {
            return HttpReply.json(403, "{\"error\":\"Host does not name this management API\"}");
        }
        final String origin = headers.get(HttpHeaderNames.ORIGIN);
        if (null != origin && !isOwnOrigin(origin, local))
        {
            return HttpReply.json(403, "{\"error\":\"cross-origin requests are refused\"}");
        }
        if (null != token && !token.admits(headers.get(HttpHeaderNames.AUTHORIZATION)))
        {
            return HttpReply.json(401, "{\"error\":\"missing or wrong bearer token\"}");
        }
        final boolean hasBody = bodyBytes > 0 || !HttpMethod.DELETE.equals(method);
        if (isMutating(method) && hasBody && !isJson(headers.get(HttpHeaderNames.CONTENT_TYPE)))
        {
            return HttpReply.json(415, "{\"error\":\"a request that changes something must send Content-Type: application/json\"}");
        }
        return null;
    }

    private static boolean isJson(final String contentType)
    {
        if (null == contentType)
        {
            return false;
        }
        final int semicolon = contentType.indexOf(';');
        final String mediaType = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).strip();
        return JSON_MEDIA_TYPE.equalsIgnoreCase(mediaType);
    }

    private boolean isOwnOrigin(final String origin, final SocketAddress local)
    {
        final URI uri;
        try
        {
            uri = new URI(origin);
        }
        catch (final URISyntaxException ex)
        {
            return false;
        }
        if (null == uri.getHost() || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())))
        {
            return false; // "null", file: and other opaque origins
        }
        final String authority = uri.getPort() < 0 ? uri.getHost() : uri.getHost() + ":" + uri.getPort();
        return namesThisListener(authority, local);
    }

    /** @param authority {@code NAME}, {@code NAME:PORT}, {@code [V6]} or {@code [V6]:PORT} */
    private boolean namesThisListener(final String authority, final SocketAddress local)
    {
        final String host;
        final String port;
        if (authority.startsWith("["))
        {
            final int close = authority.indexOf(']');
            if (close < 0)
            {
                return false;
            }
            host = authority.substring(1, close);
            port = authority.substring(close + 1);
        }
        else
        {
            final int colon = authority.indexOf(':');
            host = colon < 0 ? authority : authority.substring(0, colon);
            port = colon < 0 ? "" : authority.substring(colon);
        }
        if (!(local instanceof final InetSocketAddress inet))
        {
            return LOCALHOST.equalsIgnoreCase(host); // Unix socket: no port to compare
        }
        if (!port.isEmpty() && !port.equals(":" + inet.getPort()))
        {
            return false;
        }
        if (IpLiteral.isLiteral(host))
        {
            return Arrays.equals(IpLiteral.parse(host), IpLiteral.toSixteen(inet.getAddress().getAddress()));
        }
        final String name = host.toLowerCase(Locale.ROOT);
        return (LOCALHOST.equals(name) && inet.getAddress().isLoopbackAddress()) || name.equals(configuredName);
    }
}
