package io.vplane.nic.vswitch;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

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
    @Test
    void shouldCopyEveryFrameLengthExactlyFromTheIsolatedStartAndTheRestAndNotAByteBeyond()
    {
        try (Arena arena = Arena.ofConfined())
        {
            final int longest = FrameBurst.ISOLATED_BYTES + 44;
            final MemorySegment source = arena.allocate(longest);
            for (int i = 0; i < longest; i++)
            {
                source.set(ValueLayout.JAVA_BYTE, i, (byte)(i * 7 + 1));
            }
            final MemorySegment target = arena.allocate(longest + 16);
            final FrameBurst burst = new FrameBurst(1);
            for (int length = 1; length <= longest; length++)
            {
                burst.clear();
                burst.add(source, 0, length, length, 0);
                burst.isolate(0);
                assertThat(burst.isolatedLength(0)).isEqualTo(Math.min(length, FrameBurst.ISOLATED_BYTES));
                target.fill((byte)0x5A);
                // from 3 on: every split between the isolated start and the rest, every word tail
                burst.copyTo(0, 3 % length, target, 8, length - 3 % length);
                for (int i = 0; i < longest + 16; i++)
                {
                    final int at = i - 8 + 3 % length;
                    final byte expected = i >= 8 && at < length ? (byte)(at * 7 + 1) : (byte)0x5A;
                    assertThat(target.get(ValueLayout.JAVA_BYTE, i)).as("length %d, byte %d", length, i).isEqualTo(expected);
                }
            }
            burst.clear();
            burst.add(source, 0, 64, 64, 0);
            assertThatThrownBy(() -> burst.copyTo(0, 0, target, longest + 16 - 63, 64)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> burst.copyTo(0, 1, target, 0, 64)).isInstanceOf(IndexOutOfBoundsException.class);
        }
    }
}
