package io.vplane.blockstore.backend;

import java.io.IOException;

/**
 * A system call on an image failed with {@link #errno()}: kept so the reply can say what went wrong
 * (no space is NBD's ENOSPC, which qemu handles on its own, e.g. by pausing the guest), not just EIO.
 */
public final class SystemCallException extends IOException
{
    private static final long serialVersionUID = 1L;

    private final int errno;

    public SystemCallException(final String call, final String path, final int errno)
    {
        super(call + " on " + path + " failed: errno " + errno);
        this.errno = errno;
    }

    public int errno()
    {
        return errno;
    }
}
