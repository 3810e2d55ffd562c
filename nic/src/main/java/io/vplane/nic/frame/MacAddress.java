package io.vplane.nic.frame;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * A 48-bit MAC address held in the low bits of a {@code long}, first octet most significant, so a
 * frame's address is read and written with one short and one int access and compared as a number.
 */
public final class MacAddress
{
    public static final int LENGTH = 6;
    public static final long BROADCAST = 0xFFFF_FFFF_FFFFL;
    private static final long MASK = 0xFFFF_FFFF_FFFFL;
    /** Group bit: least significant bit of the first octet (IEEE 802-2014 §8.2). */
    private static final long GROUP_BIT = 0x0100_0000_0000L;

    private MacAddress()
    {
    }

    public static long read(final DirectBuffer buffer, final int offset)
    {
        return ((buffer.getShort(offset, ByteOrder.BIG_ENDIAN) & 0xFFFFL) << 32) |
            (buffer.getInt(offset + 2, ByteOrder.BIG_ENDIAN) & 0xFFFF_FFFFL);
    }

    public static void write(final MutableDirectBuffer buffer, final int offset, final long mac)
    {
        buffer.putShort(offset, (short)(mac >>> 32), ByteOrder.BIG_ENDIAN);
        buffer.putInt(offset + 2, (int)mac, ByteOrder.BIG_ENDIAN);
    }

    /** Broadcast and multicast addresses have the group bit set. */
    public static boolean isGroup(final long mac)
    {
        return (mac & GROUP_BIT) != 0;
    }

    /** Parses {@code aa:bb:cc:dd:ee:ff} (or with {@code -}); throws {@link IllegalArgumentException}. */
    public static long parse(final String text)
    {
        final String[] parts = text.trim().split("[:-]");
        if (parts.length != LENGTH)
        {
            throw new IllegalArgumentException("MAC address must be six hex octets like 02:00:00:00:00:01: '" + text + "'");
        }
        long mac = 0;
        for (final String part : parts)
        {
            if (part.isEmpty() || part.length() > 2)
            {
                throw new IllegalArgumentException("MAC address must be six hex octets like 02:00:00:00:00:01: '" + text + "'");
            }
            try
            {
                mac = (mac << 8) | Integer.parseInt(part, 16);
            }
            catch (final NumberFormatException ex)
            {
                throw new IllegalArgumentException("MAC address must be six hex octets like 02:00:00:00:00:01: '" + text + "'");
            }
        }
        return mac & MASK;
    }

    public static String toString(final long mac)
    {
        final StringBuilder text = new StringBuilder(17);
        for (int shift = 40; shift >= 0; shift -= 8)
        {
            final int octet = (int)(mac >>> shift) & 0xFF;
            text.append(Character.forDigit(octet >>> 4, 16)).append(Character.forDigit(octet & 0xF, 16));
            if (shift > 0)
            {
                text.append(':');
            }
        }
        return text.toString();
    }
}
