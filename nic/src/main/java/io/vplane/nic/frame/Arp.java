package io.vplane.nic.frame;

/**
 * ARP for Ethernet and IPv4 (RFC 826), offsets from the start of the ARP packet.
 * <pre>
 *  0      2      4    5    6       8          14         18          24         28
 * | htype| ptype|hlen|plen| oper  | sha (6)  | spa (4)  | tha (6)   | tpa (4)  |
 * </pre>
 */
public final class Arp
{
    public static final int HTYPE_OFFSET = 0;
    public static final int PTYPE_OFFSET = 2;
    public static final int HLEN_OFFSET = 4;
    public static final int PLEN_OFFSET = 5;
    public static final int OPER_OFFSET = 6;
    public static final int SHA_OFFSET = 8;
    public static final int SPA_OFFSET = 14;
    public static final int THA_OFFSET = 18;
    public static final int TPA_OFFSET = 24;
    public static final int LENGTH = 28;

    public static final int HTYPE_ETHERNET = 1;
    public static final int OPER_REQUEST = 1;
    public static final int OPER_REPLY = 2;

    private Arp()
    {
    }
}
