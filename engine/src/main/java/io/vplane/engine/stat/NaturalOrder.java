package io.vplane.engine.stat;

import java.util.Comparator;
import java.util.List;

/** Orders "net-2" before "net-10": runs of digits compare as numbers. */
final class NaturalOrder implements Comparator<String>
{
    static final NaturalOrder INSTANCE = new NaturalOrder();

    static final Comparator<List<String>> LISTS = (a, b) ->
    {
        final int n = Math.min(a.size(), b.size());
        for (int i = 0; i < n; i++)
        {
            final int c = INSTANCE.compare(a.get(i), b.get(i));
            if (0 != c)
            {
                return c;
            }
        }
        return Integer.compare(a.size(), b.size());
    };

    @Override
    public int compare(final String a, final String b)
    {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length())
        {
            final char ca = a.charAt(i);
            final char cb = b.charAt(j);
            if (isDigit(ca) && isDigit(cb))
            {
                final int endA = endOfDigits(a, i);
                final int endB = endOfDigits(b, j);
                final int c = compareDigits(a.substring(i, endA), b.substring(j, endB));
                if (0 != c)
                {
                    return c;
                }
                i = endA;
                j = endB;
            }
            else
            {
                if (ca != cb)
                {
                    return Character.compare(ca, cb);
                }
                i++;
                j++;
            }
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }

    private static int compareDigits(final String a, final String b)
    {
        final String x = stripLeadingZeros(a);
        final String y = stripLeadingZeros(b);
        final int byLength = Integer.compare(x.length(), y.length());
        return 0 != byLength ? byLength : x.compareTo(y);
    }

    private static String stripLeadingZeros(final String digits)
    {
        int i = 0;
        while (i < digits.length() - 1 && '0' == digits.charAt(i))
        {
            i++;
        }
        return digits.substring(i);
    }

    private static int endOfDigits(final String s, final int start)
    {
        int i = start;
        while (i < s.length() && isDigit(s.charAt(i)))
        {
            i++;
        }
        return i;
    }

    private static boolean isDigit(final char c)
    {
        return c >= '0' && c <= '9';
    }
}
