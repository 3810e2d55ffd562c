package io.vplane.engine.linux;

/**
 * struct cmsghdr (sys/socket.h, 64-bit), one ancillary message in a msghdr's control buffer, such
 * as the descriptors vhost-user passes (level {@link #SOL_SOCKET}, type {@link #SCM_RIGHTS}):
 * <pre>
 *   0  size_t cmsg_len (header and data)    8  int cmsg_level    12  int cmsg_type
 *  16  data, each message padded to 8 bytes
 * </pre>
 */
public final class CmsgHdr
{
    public static final int HEADER_SIZE = 16;
    public static final int LEN_OFFSET = 0;
    public static final int LEVEL_OFFSET = 8;
    public static final int TYPE_OFFSET = 12;

    public static final int SOL_SOCKET = 1;
    /** The data is an array of ints, descriptors the receiver gets its own copies of. */
    public static final int SCM_RIGHTS = 1;

    private CmsgHdr()
    {
    }
}
