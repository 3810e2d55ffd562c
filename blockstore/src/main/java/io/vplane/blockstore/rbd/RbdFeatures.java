package io.vplane.blockstore.rbd;

import java.util.ArrayList;
import java.util.List;

/** An image's feature bits (rbd/features.h) and the flags that say whether its object map can be trusted (librbd.h). */
final class RbdFeatures
{
    private static final String[] NAMES = {"layering", "striping", "exclusive-lock", "object-map", "fast-diff",
        "deep-flatten", "journaling", "data-pool", "operations", "migrating", "non-primary", "dirty-cache"};
    private static final long OBJECT_MAP = 1L << 3;
    private static final long FAST_DIFF = 1L << 4;
    private static final long FLAG_OBJECT_MAP_INVALID = 1;
    private static final long FLAG_FAST_DIFF_INVALID = 1 << 1;

    private RbdFeatures()
    {
    }

    static List<String> names(final long features)
    {
        final List<String> names = new ArrayList<>();
        for (int bit = 0; bit < 64; bit++)
        {
            if (0 != (features & (1L << bit)))
            {
                names.add(bit < NAMES.length ? NAMES[bit] : "bit" + bit);
            }
        }
        return names;
    }

    static boolean hasFastDiff(final long features)
    {
        return (features & (OBJECT_MAP | FAST_DIFF)) == (OBJECT_MAP | FAST_DIFF);
    }

    static boolean mapValid(final long flags)
    {
        return 0 == (flags & (FLAG_OBJECT_MAP_INVALID | FLAG_FAST_DIFF_INVALID));
    }
}
