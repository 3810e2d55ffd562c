package io.vplane.blockstore.management;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A size as an operator writes it: bytes ({@code 1048576}), or a whole number with a binary unit
 * {@code K M G T P} (powers of 1024, as qemu-img reads them), optionally followed by {@code iB}
 * or {@code B}: {@code 512M}, {@code 10G}, {@code 10GiB}.
 */
public final class ByteSize
{
    private static final Pattern SIZE = Pattern.compile("([0-9]{1,19})\\s*([KMGTP]?)(I?B)?");
    private static final String UNITS = "KMGTP";

    private ByteSize()
    {
    }

    /**
     * @param field what the size is of, for the message
     * @param value a JSON number or string
     * @return the size in bytes, at least 1
     * @throws IllegalArgumentException when it is not a size, is 0, or does not fit in 63 bits
     */
    public static long parse(final String field, final Object value)
    {
        if (value instanceof final Number number)
        {
            if (number instanceof Double || number instanceof Float || number.longValue() <= 0)
            {
                throw bad(field, String.valueOf(value));
            }
            return number.longValue();
        }
        if (!(value instanceof final String text))
        {
            throw new IllegalArgumentException("missing " + field + ": give bytes or a number with K, M, G, T or P, e.g. 10G");
        }
        final Matcher matcher = SIZE.matcher(text.strip().toUpperCase(Locale.ROOT));
        if (!matcher.matches() || (null != matcher.group(3) && matcher.group(2).isEmpty() && "IB".equals(matcher.group(3))))
        {
            throw bad(field, text);
        }
        try
        {
            final long number = Long.parseLong(matcher.group(1));
            final int shift = matcher.group(2).isEmpty() ? 0 : 10 * (UNITS.indexOf(matcher.group(2)) + 1);
            if (number <= 0 || number > Long.MAX_VALUE >> shift)
            {
                throw bad(field, text);
            }
            return number << shift;
        }
        catch (final NumberFormatException ex)
        {
            throw bad(field, text);
        }
    }

    private static IllegalArgumentException bad(final String field, final String text)
    {
        return new IllegalArgumentException(field + " '" + text + "' is not a size; give bytes or a whole number with " +
            "K, M, G, T or P (powers of 1024), e.g. 1073741824, 512M or 10G");
    }
}
