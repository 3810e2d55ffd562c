package io.vplane.blockstore.image;

import java.io.IOException;

/** An image the daemon refuses to open: its header is hostile, damaged, or uses a feature not read here. */
public final class ImageFormatException extends IOException
{
    private static final long serialVersionUID = 1L;

    public ImageFormatException(final String message)
    {
        super(message);
    }
}
