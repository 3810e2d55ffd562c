package io.vplane.engine.management;

import java.util.List;
import java.util.Map;

/**
 * Routes a module adds to the management API under its own path prefix (found with
 * {@link java.util.ServiceLoader}), so the engine serves them without importing the module.
 * Answers are plain objects (records, maps, lists) written as JSON; an
 * {@link IllegalArgumentException} becomes a 400, a {@link java.util.NoSuchElementException} a 404.
 */
public interface ManagementExtension
{
    /** Path prefix it owns, for example {@code /vswitch}; it gets that path and everything below it. */
    String prefix();

    /**
     * @param method     HTTP method
     * @param path       the request path, starting with {@link #prefix()}
     * @param parameters query parameters
     * @param body       the body as a JSON object (empty when there is none)
     * @return the answer, written as JSON
     */
    Object handle(String method, String path, Map<String, List<String>> parameters, Map<String, Object> body);

    /**
     * Like {@link #handle(String, String, Map, Map)}, for extensions that act on the daemon itself
     * (add or remove devices, look at running ones).
     *
     * @param api the running daemon
     */
    default Object handle(
        final ManagementApi api, final String method, final String path, final Map<String, List<String>> parameters,
        final Map<String, Object> body)
    {
        return handle(method, path, parameters, body);
    }

    /** A 400 unless the request is a POST: routes that change something take POST only. */
    static void requirePost(final String method, final String path)
    {
        if (!"POST".equals(method))
        {
            throw new IllegalArgumentException(method + " not allowed on " + path + "; use POST");
        }
    }
}
