package io.vplane.blockstore.rbd;

import io.vplane.blockstore.request.BlockError;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class RbdErrorsTest
{
    @Test
    void shouldMapAFullPoolToNoSpaceAsAFullFileSystemIs()
    {
        assertThat(RbdErrors.blockError(RbdErrors.ENOSPC)).isEqualTo(BlockError.NO_SPACE);
        assertThat(RbdErrors.blockError(RbdErrors.EDQUOT)).isEqualTo(BlockError.NO_SPACE);
    }

    @Test
    void shouldMapReadOnlyAndPermissionErrorsToEperm()
    {
        assertThat(RbdErrors.blockError(RbdErrors.EROFS)).isEqualTo(BlockError.PERMISSION);
        assertThat(RbdErrors.blockError(RbdErrors.EACCES)).isEqualTo(BlockError.PERMISSION);
    }

    @Test
    void shouldMapTimeoutsAndBlocklistingToEioAndOnlyTheLatterToAReconnect()
    {
        assertThat(RbdErrors.blockError(RbdErrors.ETIMEDOUT)).isEqualTo(BlockError.IO);
        assertThat(RbdErrors.blockError(RbdErrors.ESHUTDOWN)).isEqualTo(BlockError.IO);
        assertThat(RbdErrors.connectionLost(RbdErrors.ESHUTDOWN)).isTrue();
        assertThat(RbdErrors.connectionLost(RbdErrors.ETIMEDOUT)).isFalse();
    }

    @Test
    void shouldCountErrorsByName()
    {
        final RbdErrors errors = new RbdErrors();
        errors.count(RbdErrors.ETIMEDOUT);
        errors.count(RbdErrors.ETIMEDOUT);
        errors.count(RbdErrors.ESHUTDOWN);
        errors.count(4095);

        assertThat(errors.snapshot()).isEqualTo(Map.of("ESHUTDOWN", 1L, "ETIMEDOUT", 2L, "other", 1L));
    }
}
