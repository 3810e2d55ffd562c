package io.vplane.engine.management;

import java.nio.charset.StandardCharsets;

/**
 * What the management API answers to one request, independent of Netty.
 *
 * @param status      HTTP status code
 * @param contentType value of the Content-Type header
 * @param body        the body, already encoded
 * @param allow       value of the Allow header for a 405, else {@code null}
 */
public record HttpReply(int status, String contentType, byte[] body, String allow)
{
    public static final String JSON = "application/json; charset=utf-8";

    public static HttpReply json(final int status, final String json)
    {
        return new HttpReply(status, JSON, json.getBytes(StandardCharsets.UTF_8), null);
    }

    public String bodyText()
    {
        return new String(body, StandardCharsets.UTF_8);
    }
}
