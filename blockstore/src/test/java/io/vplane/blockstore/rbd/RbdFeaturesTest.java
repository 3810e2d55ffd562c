package io.vplane.blockstore.rbd;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RbdFeaturesTest
{
    /** RBD_FEATURES_DEFAULT of Pacific: layering, exclusive-lock, object-map, fast-diff, deep-flatten. */
    private static final long DEFAULT = 1 | 4 | 8 | 16 | 32;

    @Test
    void shouldNameFeatureBitsAsTheRbdCliDoes()
    {
        assertThat(RbdFeatures.names(DEFAULT)).containsExactly("layering", "exclusive-lock", "object-map", "fast-diff", "deep-flatten");
        assertThat(RbdFeatures.names(1L << 40)).containsExactly("bit40");
    }

    @Test
    void shouldTrustTheObjectMapOnlyWithFastDiffAndNoInvalidFlag()
    {
        assertThat(RbdFeatures.hasFastDiff(DEFAULT)).isTrue();
        assertThat(RbdFeatures.hasFastDiff(1 | 4 | 8)).isFalse();
        assertThat(RbdFeatures.mapValid(0)).isTrue();
        assertThat(RbdFeatures.mapValid(1)).isFalse();
        assertThat(RbdFeatures.mapValid(2)).isFalse();
    }
}
