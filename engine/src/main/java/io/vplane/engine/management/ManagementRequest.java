package io.vplane.engine.management;

import java.util.List;
import java.util.Map;

/**
 * One request routed to a {@link ManagementExtension}.
 *
 * @param api        the running daemon, for extensions that add, remove or look at devices
 * @param method     HTTP method
 * @param path       the request path, starting with the extension's prefix
 * @param parameters query parameters
 * @param body       the body as a JSON object (empty when there is none)
 */
public record ManagementRequest(
    ManagementApi api, String method, String path, Map<String, List<String>> parameters, Map<String, Object> body)
{
    /** A 400 unless the request is a POST: routes that change something take POST only. */
    public void requirePost()
    {
        if (!"POST".equals(method))
        {
            throw new IllegalArgumentException(method + " not allowed on " + path + "; use POST");
        }
    }

    /** The first value of a query parameter, or null. */
    public String parameter(final String name)
    {
        final List<String> values = parameters.get(name);
        return null == values || values.isEmpty() ? null : values.getFirst();
    }
}
