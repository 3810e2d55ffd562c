package io.vplane.blockstore.image;

import java.io.IOException;

/**
 * Metadata met during a read points outside the image (an L2 table or cluster past the end of the
 * file, over the header, misaligned): that request fails with EIO, the image stays open.
 */
public final class ImageCorruptException extends IOException
{
    private static final long serialVersionUID = 1L;

    public ImageCorruptException(final String message)
    {
        super(message);
    }
}
