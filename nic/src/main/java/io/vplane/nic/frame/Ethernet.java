package io.vplane.nic.frame;

/**
 * Ethernet II header and 802.1Q/802.1ad tags (IEEE 802.3 §3.1, IEEE 802.1Q §9.6).
 * <pre>
 *  0                   6                   12      14
 * +-------------------+-------------------+-------+
 * | destination MAC   | source MAC        | type  |   type is a TPID when a tag follows:
 * +-------------------+-------------------+-------+
 *                                         | TPID  | TCI (PCP:3 DEI:1 VID:12) | next type ...
 * </pre>
 */
public final class Ethernet
{
    public static final int DST_OFFSET = 0;
    public static final int SRC_OFFSET = 6;
    public static final int TYPE_OFFSET = 12;
    public static final int HEADER_LENGTH = 14;
    public static final int TAG_LENGTH = 4;
    /** Offset of the TCI inside a tag that starts at the TPID. */
    public static final int TAG_TCI_OFFSET = 2;
    public static final int VID_MASK = 0x0FFF;

    public static final int TYPE_IPV4 = 0x0800;
    public static final int TYPE_ARP = 0x0806;
    public static final int TYPE_IPV6 = 0x86DD;
    public static final int TPID_8021Q = 0x8100;
    public static final int TPID_8021AD = 0x88A8;
    /** Pre-standard QinQ outer TPID still sent by some switches. */
    public static final int TPID_QINQ_LEGACY = 0x9100;

    private Ethernet()
    {
    }

    public static boolean isTagType(final int type)
    {
        return type == TPID_8021Q || type == TPID_8021AD || type == TPID_QINQ_LEGACY;
    }
}
