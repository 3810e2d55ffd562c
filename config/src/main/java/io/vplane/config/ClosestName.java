package io.vplane.config;

import java.util.List;
import java.util.Locale;

/** Finds the valid name a misspelt one was most likely meant to be. */
final class ClosestName
{
    private ClosestName()
    {
    }

    /**
     * @return the candidate with the smallest case-insensitive edit distance, or null when none is
     * close enough to be a plausible typo
     */
    static String of(final String name, final List<String> candidates)
    {
        final String wanted = name.toLowerCase(Locale.ROOT);
        final int threshold = Math.max(2, wanted.length() / 3);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (final String candidate : candidates)
        {
            final int distance = distance(wanted, candidate.toLowerCase(Locale.ROOT));
            if (distance < bestDistance)
            {
                best = candidate;
                bestDistance = distance;
            }
        }
        return bestDistance <= threshold ? best : null;
    }

    /** Levenshtein distance with two rolling rows. */
    static int distance(final String a, final String b)
    {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++)
        {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++)
            {
                final int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            final int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
