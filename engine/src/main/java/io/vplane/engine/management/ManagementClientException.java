package io.vplane.engine.management;

/**
 * A management API call that failed: the server said no (its error message, with the HTTP status),
 * or it could not be reached (status 0).
 */
public final class ManagementClientException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final int statusCode;

    public ManagementClientException(final int statusCode, final String message)
    {
        super(message);
        this.statusCode = statusCode;
    }

    public ManagementClientException(final String message, final Throwable cause)
    {
        super(message, cause);
        this.statusCode = 0;
    }

    /** @return the HTTP status, or 0 when no answer came */
    public int statusCode()
    {
        return statusCode;
    }
}
