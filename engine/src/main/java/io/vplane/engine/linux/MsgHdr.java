package io.vplane.engine.linux;

/**
 * struct msghdr (sys/socket.h, 64-bit), what sendmsg / recvmsg take:
 * <pre>
 *   0  void  *msg_name        8 socklen_t msg_namelen (+4 pad)
 *  16  iovec *msg_iov        24 size_t    msg_iovlen
 *  32  void  *msg_control    40 size_t    msg_controllen
 *  48  int    msg_flags (+4 pad)                           = 56 bytes
 * </pre>
 */
public final class MsgHdr
{
    public static final int SIZE = 56;
    public static final int NAME_OFFSET = 0;
    public static final int NAMELEN_OFFSET = 8;
    public static final int IOV_OFFSET = 16;
    public static final int IOVLEN_OFFSET = 24;
    public static final int CONTROL_OFFSET = 32;
    public static final int CONTROLLEN_OFFSET = 40;
    public static final int FLAGS_OFFSET = 48;

    private MsgHdr()
    {
    }
}
