package io.vplane.engine.linux;

/**
 * struct iovec (sys/uio.h), one entry of a gathering or scattering call's buffer list:
 * <pre>
 *   0  void  *iov_base
 *   8  size_t iov_len                 = 16 bytes
 * </pre>
 */
public final class Iovec
{
    public static final int SIZE = 16;
    public static final int BASE_OFFSET = 0;
    public static final int LENGTH_OFFSET = 8;
    /** Most entries one call takes (IOV_MAX, limits.h). */
    public static final int IOV_MAX = 1024;

    private Iovec()
    {
    }
}
