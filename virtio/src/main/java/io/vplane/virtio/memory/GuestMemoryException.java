package io.vplane.virtio.memory;

/** A memory table that cannot be used: its message names the region and the problem. */
public final class GuestMemoryException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    public GuestMemoryException(final String message)
    {
        super(message);
    }
}
