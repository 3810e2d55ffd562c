package io.vplane.nic.frame;

/**
 * ICMPv6 (RFC 4443 §2.1) and neighbour discovery messages (RFC 4861 §4), offsets from the start of
 * the ICMPv6 message.
 * <pre>
 *  0      1      2          4                 8                      24
 * | type | code | checksum | reserved/flags  | target address (16)  | options ...   NS (135), NA (136)
 * option (RFC 4861 §4.6): | type | length in 8-octet units | data ... |
 * link-layer address option: type 1 source, 2 target; the 6-octet address starts at option + 2
 * </pre>
 * Router solicitation (133, options at 8), router advertisement (134, options at 16) and redirect
 * (137, options at 40) carry the same link-layer options.
 */
public final class Ndp
{
    public static final int TYPE_OFFSET = 0;
    public static final int CODE_OFFSET = 1;
    public static final int CHECKSUM_OFFSET = 2;
    public static final int FLAGS_OFFSET = 4;
    public static final int TARGET_OFFSET = 8;

    public static final int TYPE_ROUTER_SOLICITATION = 133;
    public static final int TYPE_ROUTER_ADVERTISEMENT = 134;
    public static final int TYPE_NEIGHBOR_SOLICITATION = 135;
    public static final int TYPE_NEIGHBOR_ADVERTISEMENT = 136;
    public static final int TYPE_REDIRECT = 137;

    public static final int OPTION_SOURCE_LINK_LAYER = 1;
    public static final int OPTION_TARGET_LINK_LAYER = 2;
    public static final int OPTION_UNIT = 8;
    public static final int OPTION_ADDRESS_OFFSET = 2;
    public static final int LINK_LAYER_OPTION_LENGTH = 8;

    /** NA flags (RFC 4861 §4.4): router, solicited, override in the top bits. */
    public static final int NA_FLAG_SOLICITED = 0x4000_0000;
    public static final int NA_FLAG_OVERRIDE = 0x2000_0000;
    public static final int NS_NA_LENGTH = 24;

    private Ndp()
    {
    }

    public static boolean isNdp(final int type)
    {
        return type >= TYPE_ROUTER_SOLICITATION && type <= TYPE_REDIRECT;
    }

    /** Offset of the first option from the start of the message, by type. */
    public static int optionsOffset(final int type)
    {
        return switch (type)
        {
            case TYPE_ROUTER_SOLICITATION -> 8;
            case TYPE_ROUTER_ADVERTISEMENT -> 16;
            case TYPE_NEIGHBOR_SOLICITATION, TYPE_NEIGHBOR_ADVERTISEMENT -> 24;
            default -> 40;
        };
    }
}
