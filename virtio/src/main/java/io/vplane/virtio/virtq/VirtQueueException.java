package io.vplane.virtio.virtq;

/** A virtqueue that cannot be placed on its rings: its message says why. */
public final class VirtQueueException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    public VirtQueueException(final String message)
    {
        super(message);
    }
}
