package io.vplane.nic.frame;

/**
 * IPv6 fixed header (RFC 8200 §3), offsets from the start of the header.
 * <pre>
 *  0              4               6           7          8             24            40
 * |ver|tc|flow    | payload length| next hdr  | hop limit | source (16)  | dest (16)   |
 * </pre>
 */
public final class Ipv6
{
    public static final int PAYLOAD_LENGTH_OFFSET = 4;
    public static final int NEXT_HEADER_OFFSET = 6;
    public static final int HOP_LIMIT_OFFSET = 7;
    public static final int SRC_OFFSET = 8;
    public static final int DST_OFFSET = 24;
    public static final int HEADER_LENGTH = 40;
    public static final int NEXT_HEADER_ICMPV6 = 58;

    private Ipv6()
    {
    }
}
