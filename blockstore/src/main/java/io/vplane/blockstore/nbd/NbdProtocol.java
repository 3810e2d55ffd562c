package io.vplane.blockstore.nbd;

/**
 * Numbers of the NBD protocol, named as in NetworkBlockDevice/nbd doc/proto.md.
 */
public final class NbdProtocol
{
    // Handshake (proto.md: "Fixed newstyle negotiation").
    public static final long NBDMAGIC = 0x4e42444d41474943L;
    public static final long IHAVEOPT = 0x49484156454F5054L;
    public static final long OPTION_REPLY_MAGIC = 0x0003e889045565a9L;
    public static final int FLAG_FIXED_NEWSTYLE = 1;
    public static final int FLAG_NO_ZEROES = 1 << 1;
    public static final int CLIENT_FLAG_FIXED_NEWSTYLE = 1;
    public static final int CLIENT_FLAG_NO_ZEROES = 1 << 1;
    public static final int KNOWN_CLIENT_FLAGS = CLIENT_FLAG_FIXED_NEWSTYLE | CLIENT_FLAG_NO_ZEROES;

    // Options.
    public static final int OPT_EXPORT_NAME = 1;
    public static final int OPT_ABORT = 2;
    public static final int OPT_LIST = 3;
    public static final int OPT_STARTTLS = 5;
    public static final int OPT_INFO = 6;
    public static final int OPT_GO = 7;
    public static final int OPT_STRUCTURED_REPLY = 8;
    public static final int OPT_LIST_META_CONTEXT = 9;
    public static final int OPT_SET_META_CONTEXT = 10;

    // Option reply types; errors have bit 31 set.
    public static final int REP_ACK = 1;
    public static final int REP_SERVER = 2;
    public static final int REP_INFO = 3;
    public static final int REP_META_CONTEXT = 4;
    public static final int REP_ERR_UNSUP = 0x8000_0001;
    public static final int REP_ERR_POLICY = 0x8000_0002;
    public static final int REP_ERR_INVALID = 0x8000_0003;
    public static final int REP_ERR_TLS_REQD = 0x8000_0005;
    public static final int REP_ERR_TOO_BIG = 0x8000_0009;

    // NBD_REP_INFO types.
    public static final int INFO_EXPORT = 0;
    public static final int INFO_NAME = 1;
    public static final int INFO_DESCRIPTION = 2;
    public static final int INFO_BLOCK_SIZE = 3;

    // Transmission flags.
    public static final int TFLAG_HAS_FLAGS = 1;
    public static final int TFLAG_READ_ONLY = 1 << 1;
    public static final int TFLAG_SEND_FLUSH = 1 << 2;
    public static final int TFLAG_SEND_FUA = 1 << 3;
    public static final int TFLAG_SEND_TRIM = 1 << 5;
    public static final int TFLAG_SEND_WRITE_ZEROES = 1 << 6;
    public static final int TFLAG_SEND_DF = 1 << 7;
    public static final int TFLAG_CAN_MULTI_CONN = 1 << 8;
    public static final int TFLAG_SEND_CACHE = 1 << 10;
    public static final int TFLAG_SEND_FAST_ZERO = 1 << 11;

    // Transmission phase.
    public static final int REQUEST_MAGIC = 0x25609513;
    public static final int SIMPLE_REPLY_MAGIC = 0x67446698;
    public static final int STRUCTURED_REPLY_MAGIC = 0x668e33ef;

    public static final int CMD_READ = 0;
    public static final int CMD_WRITE = 1;
    public static final int CMD_DISC = 2;
    public static final int CMD_FLUSH = 3;
    public static final int CMD_TRIM = 4;
    public static final int CMD_CACHE = 5;
    public static final int CMD_WRITE_ZEROES = 6;
    public static final int CMD_BLOCK_STATUS = 7;
    public static final int COMMAND_TYPES = 8;

    public static final int CMD_FLAG_FUA = 1;
    public static final int CMD_FLAG_NO_HOLE = 1 << 1;
    public static final int CMD_FLAG_DF = 1 << 2;
    public static final int CMD_FLAG_REQ_ONE = 1 << 3;
    public static final int CMD_FLAG_FAST_ZERO = 1 << 4;

    public static final int REPLY_FLAG_DONE = 1;
    public static final int REPLY_TYPE_NONE = 0;
    public static final int REPLY_TYPE_OFFSET_DATA = 1;
    public static final int REPLY_TYPE_OFFSET_HOLE = 2;
    public static final int REPLY_TYPE_BLOCK_STATUS = 5;
    public static final int REPLY_TYPE_ERROR = 0x8001;

    /** base:allocation extent flags. */
    public static final int STATE_HOLE = 1;
    public static final int STATE_ZERO = 1 << 1;
    public static final String BASE_ALLOCATION = "base:allocation";
    /** The only metadata context this server offers; ids are the server's choice. */
    public static final int BASE_ALLOCATION_ID = 1;

    // Errors (proto.md: "Error values"), Linux numbering as the spec prescribes on the wire.
    public static final int EPERM = 1;
    public static final int EIO = 5;
    public static final int ENOMEM = 12;
    public static final int EINVAL = 22;
    public static final int ENOSPC = 28;
    public static final int EOVERFLOW = 75;
    public static final int ENOTSUP = 95;
    public static final int ESHUTDOWN = 108;

    /** Largest payload a request or reply may carry; larger is an impossible length (proto.md: "Block size constraints"). */
    public static final int MAX_PAYLOAD_BYTES = 32 << 20;
    /** Strings such as export names are at most 4096 bytes (proto.md: "Option haggling"). */
    public static final int MAX_STRING_BYTES = 4096;
    public static final int PREFERRED_BLOCK_BYTES = 4096;

    private NbdProtocol()
    {
    }

    public static String commandName(final int type)
    {
        return switch (type)
        {
            case CMD_READ -> "read";
            case CMD_WRITE -> "write";
            case CMD_DISC -> "disc";
            case CMD_FLUSH -> "flush";
            case CMD_TRIM -> "trim";
            case CMD_CACHE -> "cache";
            case CMD_WRITE_ZEROES -> "write_zeroes";
            case CMD_BLOCK_STATUS -> "block_status";
            default -> "unknown";
        };
    }
}
