package io.vplane.vsock.device;

/** A ring the guest broke: the device's rings stop until the frontend sets them up again. */
final class RingFault extends RuntimeException
{
    RingFault(final String message)
    {
        super(message, null, false, false);
    }
}
