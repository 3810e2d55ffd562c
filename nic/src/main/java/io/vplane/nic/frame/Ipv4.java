package io.vplane.nic.frame;

/**
 * IPv4 header (RFC 791 §3.1), offsets from the start of the header.
 * <pre>
 *  0       4       8              16      20
 * |ver|ihl| tos   | total length  | id ...|
 * 8: ttl | protocol | checksum | 12: source | 16: destination | 20: options ...
 * </pre>
 */
public final class Ipv4
{
    public static final int VERSION_IHL_OFFSET = 0;
    public static final int TOTAL_LENGTH_OFFSET = 2;
    public static final int PROTOCOL_OFFSET = 9;
    public static final int SRC_OFFSET = 12;
    public static final int DST_OFFSET = 16;
    public static final int MIN_HEADER_LENGTH = 20;

    private Ipv4()
    {
    }
}
