package io.vplane.nic.vswitch;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FrameBurstTest
{
    @Test
    void shouldTakeFramesInsideANativeRegionOnly()
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment region = arena.allocate(4096);
            final FrameBurst burst = new FrameBurst(2);

            assertThat(burst.add(region, 2048, 64, 2048, 7)).isTrue();
            assertThat(burst.address(0)).isEqualTo(region.address() + 2048);
            assertThat(burst.bufferBytes(0)).isEqualTo(2048);
            assertThat(burst.token(0)).isEqualTo(7);

            assertThatThrownBy(() -> burst.add(region, 4000, 64, 2048, 8)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> burst.add(region, -1, 64, 64, 8)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> burst.add(MemorySegment.ofArray(new byte[64]), 0, 64, 64, 8))
                .isInstanceOf(IllegalArgumentException.class);

            assertThat(burst.add(region, 0, 60, 0, 9)).isTrue();
            assertThat(burst.bufferBytes(1)).isEqualTo(60);
            assertThat(burst.add(region, 100, 60, 60, 10)).isFalse();
        }
    }
}
