package io.vplane.engine.management;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Calls the management API of a running daemon, as {@code vplane ctl} does. Answers are returned as
 * the JSON (or text) body; a non-2xx answer throws a {@link ManagementClientException} with the
 * server's error message.
 */
public final class ManagementClient
{
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final String baseUrl;
    private final HttpClient http;

    /** @param baseUrl for example {@code http://127.0.0.1:9780} */
    public ManagementClient(final String baseUrl)
    {
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(TIMEOUT)
            .build();
    }

    public String baseUrl()
    {
        return baseUrl;
    }

    /** @param path for example {@code /placement?type=blk} */
    public String get(final String path)
    {
        return send(request(path).GET().build());
    }

    public String post(final String path, final String jsonBody)
    {
        return send(request(path)
            .header("Content-Type", HttpReply.JSON)
            .POST(HttpRequest.BodyPublishers.ofString(null == jsonBody ? "" : jsonBody, StandardCharsets.UTF_8))
            .build());
    }

    public String delete(final String path)
    {
        return send(request(path).DELETE().build());
    }

    private HttpRequest.Builder request(final String path)
    {
        final URI uri;
        try
        {
            uri = URI.create(baseUrl + (path.startsWith("/") ? path : "/" + path));
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ManagementClientException("not a valid management API URL: " + baseUrl + path, ex);
        }
        return HttpRequest.newBuilder(uri).timeout(TIMEOUT).header("Accept", "application/json, text/plain");
    }

    private String send(final HttpRequest request)
    {
        final HttpResponse<String> response;
        try
        {
            response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
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
            if (isConnectionRefused(ex))
            {
                throw new ManagementClientException("cannot reach the vplane management API at " + baseUrl +
                    ": connection refused (is the daemon running?)", ex);
            }
            throw new ManagementClientException(
                "cannot reach the vplane management API at " + baseUrl + ": " + describe(ex), ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new ManagementClientException("interrupted while calling " + request.uri(), ex);
        }

        final int status = response.statusCode();
        if (status < 200 || status >= 300)
        {
            throw new ManagementClientException(status, errorMessage(status, response.body()));
        }
        return response.body();
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
            if (cause instanceof ConnectException)
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
