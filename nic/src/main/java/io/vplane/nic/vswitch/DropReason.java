package io.vplane.nic.vswitch;

import io.vplane.nic.frame.FrameParser;

/** Why the switch dropped a frame; each is a counter label per port. */
public enum DropReason
{
    RUNT("runt"),
    OVERSIZED("oversized"),
    TOO_MANY_TAGS("vlan_tags"),
    TRUNCATED_IP("truncated_ip"),
    TRUNCATED_ARP("truncated_arp"),
    TRUNCATED_NDP("truncated_ndp"),
    /** The source IP is in the table behind another port (anti-spoofing). */
    SPOOFED("spoofed"),
    /** Addressed to a global MAC with a destination IP not in the table, or back to its own port. */
    NO_ROUTE("no_route"),
    /** The destination port had no room. */
    TX_REFUSED("tx_refused");

    private static final DropReason[] BY_PARSE_RESULT = new DropReason[7];

    static
    {
        BY_PARSE_RESULT[FrameParser.RUNT] = RUNT;
        BY_PARSE_RESULT[FrameParser.OVERSIZED] = OVERSIZED;
        BY_PARSE_RESULT[FrameParser.TOO_MANY_TAGS] = TOO_MANY_TAGS;
        BY_PARSE_RESULT[FrameParser.TRUNCATED_IP] = TRUNCATED_IP;
        BY_PARSE_RESULT[FrameParser.TRUNCATED_ARP] = TRUNCATED_ARP;
        BY_PARSE_RESULT[FrameParser.TRUNCATED_NDP] = TRUNCATED_NDP;
    }

    private final String label;

    DropReason(final String label)
    {
        this.label = label;
    }

    public String label()
    {
        return label;
    }

    static DropReason ofParseResult(final int result)
    {
        return BY_PARSE_RESULT[result];
    }
}
