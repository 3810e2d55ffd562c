package io.vplane.blockstore.rbd;

import io.vplane.blockstore.request.BlockError;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * What a librbd error ({@code -errno} from a call or a completion) means for the client, and how
 * often each happened on one disk. Errors are the exception path: the names are built only for the
 * log and {@code ctl disk show}.
 */
final class RbdErrors
{
    static final int EPERM = 1;
    static final int ENOENT = 2;
    static final int EIO = 5;
    static final int EACCES = 13;
    static final int EINVAL = 22;
    static final int ENOSPC = 28;
    static final int EROFS = 30;
    static final int ENOTCONN = 107;
    /** Also EBLOCKLISTED: the cluster fenced this client off (ceph's errno.h). */
    static final int ESHUTDOWN = 108;
    static final int ETIMEDOUT = 110;
    static final int ECONNREFUSED = 111;
    static final int EDQUOT = 122;
    private static final int MAX_ERRNO = 134;

    /** Per errno, failed requests; the last slot counts any errno past the table. */
    private final AtomicLongArray counts = new AtomicLongArray(MAX_ERRNO + 1);

    /** The client's error for a librbd failure. */
    static BlockError blockError(final int errno)
    {
        return switch (errno)
        {
            // A full pool (or its quota) is the same to a VM as a full file system: qemu may pause the guest.
            case ENOSPC, EDQUOT -> BlockError.NO_SPACE;
            case EROFS, EPERM, EACCES -> BlockError.PERMISSION;
            case EINVAL -> BlockError.INVALID;
            default -> BlockError.IO;
        };
    }

    /** Whether the connection to the cluster is gone and must be opened again (blocklisted, shut down). */
    static boolean connectionLost(final int errno)
    {
        return ESHUTDOWN == errno || ENOTCONN == errno;
    }

    static String name(final int errno)
    {
        return switch (errno)
        {
            case EPERM -> "EPERM";
            case ENOENT -> "ENOENT";
            case EIO -> "EIO";
            case EACCES -> "EACCES";
            case EINVAL -> "EINVAL";
            case ENOSPC -> "ENOSPC";
            case EROFS -> "EROFS";
            case ENOTCONN -> "ENOTCONN";
            case ESHUTDOWN -> "ESHUTDOWN";
            case ETIMEDOUT -> "ETIMEDOUT";
            case ECONNREFUSED -> "ECONNREFUSED";
            case EDQUOT -> "EDQUOT";
            default -> "errno" + errno;
        };
    }

    /** Any thread. */
    void count(final int errno)
    {
        counts.incrementAndGet(errno > 0 && errno < MAX_ERRNO ? errno : MAX_ERRNO);
    }

    /** The errors seen so far by name, for {@code ctl disk show}. */
    Map<String, Long> snapshot()
    {
        final Map<String, Long> seen = new LinkedHashMap<>();
        for (int errno = 0; errno <= MAX_ERRNO; errno++)
        {
            final long n = counts.get(errno);
            if (n > 0)
            {
                seen.put(MAX_ERRNO == errno ? "other" : name(errno), n);
            }
        }
        return seen;
    }

    static String describe(final String what, final int rc)
    {
        return what + " failed: " + name(-rc) + " (" + rc + ")";
    }
}
