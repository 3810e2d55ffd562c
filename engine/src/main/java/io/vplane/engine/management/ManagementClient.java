package io.vplane.engine.management;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import javax.net.ssl.SSLContext;
import java.time.Duration;

/**
 * Calls the management API of a running daemon, as {@code vplane ctl} does: over its Unix socket
 * ({@code unix:PATH}), or over TCP ({@code http://} or {@code https://HOST:PORT}) with the bearer
 * token. Answers are returned as the JSON (or text) body; a non-2xx answer throws a
 * {@link ManagementClientException} with the server's error message.
 */
public final class ManagementClient
{
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final String UNIX_SCHEME = "unix:";
    private static final String JSON_TYPE = "application/json";

    private final String baseUrl;
    private final Path socket;
    private final String authorization;
    private final HttpClient http;

    /** @param baseUrl for example {@code unix:/run/vplane/management.sock}; no token */
    public ManagementClient(final String baseUrl)
    {
        this(baseUrl, null, null);
    }

    /**
     * @param baseUrl     {@code unix:PATH} or {@code http(s)://HOST:PORT}
     * @param token       sent on TCP as {@code Authorization: Bearer …}, or null
     * @param tlsContext  trust for {@code https://}, or null for the JDK's default trust
     */
    public ManagementClient(final String baseUrl, final BearerToken token, final SSLContext tlsContext)
    {
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.socket = this.baseUrl.startsWith(UNIX_SCHEME) ? Path.of(this.baseUrl.substring(UNIX_SCHEME.length())) : null;
        this.authorization = null == token ? null : token.header();
        final HttpClient.Builder builder = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(TIMEOUT);
        if (null != tlsContext)
        {
            builder.sslContext(tlsContext);
        }
        this.http = null == socket ? builder.build() : null;
    }

    public String baseUrl()
    {
        return baseUrl;
    }

    /** @param path for example {@code /placement?type=blk} */
    public String get(final String path)
    {
        return send("GET", path, null, null);
    }

    public String post(final String path, final String jsonBody)
    {
        return send("POST", path, JSON_TYPE, null == jsonBody ? "" : jsonBody);
    }

    public String delete(final String path)
    {
        return send("DELETE", path, null, null);
    }

    private String send(final String method, final String path, final String contentType, final String body)
    {
        final String target = path.startsWith("/") ? path : "/" + path;
        final int status;
        final String answer;
        if (null != socket)
        {
            try
            {
                final UnixSocketHttp.Answer reply = UnixSocketHttp.exchange(socket, method, target, contentType, body);
                status = reply.status();
                answer = reply.body();
            }
            catch (final IOException ex)
            {
                throw unreachable(ex);
            }
        }
        else
        {
            final HttpResponse<String> response = sendHttp(request(method, target, contentType, body));
            status = response.statusCode();
            answer = response.body();
        }
        if (status < 200 || status >= 300)
        {
            throw new ManagementClientException(status, errorMessage(status, answer));
        }
        return answer;
    }

    private HttpRequest request(final String method, final String path, final String contentType, final String body)
    {
        final URI uri;
        try
        {
            uri = URI.create(baseUrl + path);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ManagementClientException("not a valid management API URL: " + baseUrl + path, ex);
        }
        final HttpRequest.Builder builder = HttpRequest.newBuilder(uri).timeout(TIMEOUT).header("Accept", "application/json, text/plain");
        if (null != authorization)
        {
            builder.header("Authorization", authorization);
        }
        if (null != contentType)
        {
            builder.header("Content-Type", contentType);
        }
        return builder.method(method, null == body ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build();
    }

    private HttpResponse<String> sendHttp(final HttpRequest request)
    {
        try
        {
            return http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        }
        catch (final HttpConnectTimeoutException ex)
        {
            throw new ManagementClientException(
                "cannot reach the vplane management API at " + baseUrl + ": no connection within " + TIMEOUT.toSeconds() + " s", ex);
        }
        catch (final HttpTimeoutException ex)
        {
            throw new ManagementClientException(
                "the vplane management API at " + baseUrl + " did not answer within " + TIMEOUT.toSeconds() + " s", ex);
        }
        catch (final IOException ex)
        {
            throw unreachable(ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new ManagementClientException("interrupted while calling " + request.uri(), ex);
        }
    }

    private ManagementClientException unreachable(final IOException ex)
    {
        if (isConnectionRefused(ex))
        {
            return new ManagementClientException("cannot reach the vplane management API at " + baseUrl +
                ": connection refused (is the daemon running?)", ex);
        }
        return new ManagementClientException("cannot reach the vplane management API at " + baseUrl + ": " + describe(ex), ex);
    }

    private static String errorMessage(final int status, final String body)
    {
        try
        {
            final JsonNode error = ManagementJson.mapper().readTree(body).get("error");
            if (null != error && error.isTextual())
            {
                return error.asText();
            }
        }
        catch (final JacksonException | RuntimeException ex)
        {
            // Not our JSON error: fall through to the raw answer.
        }
        return "HTTP " + status + (body.isBlank() ? "" : ": " + body.strip());
    }

    private static boolean isConnectionRefused(final Throwable ex)
    {
        for (Throwable cause = ex; null != cause; cause = cause.getCause())
        {
            if (cause instanceof ConnectException || cause instanceof NoSuchFileException ||
                (cause instanceof SocketException && String.valueOf(cause.getMessage()).contains("No such file")))
            {
                return true;
            }
        }
        return false;
    }

    private static String describe(final IOException ex)
    {
        // HttpClient often wraps the real cause, and leaves its own message empty.
        Throwable cause = ex;
        while (null != cause.getCause() && null == cause.getMessage())
        {
            cause = cause.getCause();
        }
        return null != cause.getMessage() ? cause.getMessage() : cause.getClass().getSimpleName();
    }
}
