package io.vplane.blockstore.request;

/**
 * The outcome of a block request, each with its POSIX errno, the value block protocols carry
 * (NBD sends it as is; a front end maps it in one place).
 */
public enum BlockError
{
    NONE(0),
    /** Not allowed: a write to a read-only disk. */
    PERMISSION(1),
    IO(5),
    NO_MEMORY(12),
    INVALID(22),
    /** The image's file system is full, a quota or the file size limit is reached. */
    NO_SPACE(28),
    OUT_OF_RANGE(75),
    NOT_SUPPORTED(95),
    SHUTDOWN(108);

    private final int errno;

    BlockError(final int errno)
    {
        this.errno = errno;
    }

    public int errno()
    {
        return errno;
    }
}
