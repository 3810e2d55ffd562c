package io.vplane.nic.vswitch;

import org.agrona.UnsafeApi;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * Copies of a frame's start (at most {@link FrameBurst#ISOLATED_BYTES}) as 8-byte loads and stores
 * compiled into the caller. Both ranges are checked once per copy, then copied by address: a
 * {@code MemorySegment} access checks bounds and liveness on every word, and the loop of those
 * checks compiled too big to be inlined (C2: "already compiled into a big method"), so each copy
 * of 64 bytes cost about 20 ns on one core with every line in L1 ({@code VhostSwitchLoopTiming}).
 * {@code MemorySegment.copy} calls a native copy stub from 64 bytes on, with overlap checks per call.
 */
final class WordCopy
{
    private WordCopy()
    {
    }

    /**
     * Copies {@code count} bytes of {@code src} at {@code srcAddress} (native address, which the caller
     * has bounds-checked) into {@code dst}; the ranges must not overlap.
     *
     * @throws IndexOutOfBoundsException when the destination range is not inside {@code dst}
     * @throws IllegalStateException     when {@code dst}'s memory was released
     */
    static void copy(final long srcAddress, final MemorySegment dst, final long dstOffset, final int count)
    {
        Objects.checkFromIndexSize(dstOffset, count, dst.byteSize());
        if (!dst.scope().isAlive())
        {
            throw new IllegalStateException("destination memory already released");
        }
        copy(srcAddress, dst.address() + dstOffset, count);
    }

    /** Copies {@code count} bytes between two native ranges both checked by the caller. */
    static void copy(final long srcAddress, final long dstAddress, final int count)
    {
        if (count < 8)
        {
            for (int i = 0; i < count; i++)
            {
                UnsafeApi.putByte(null, dstAddress + i, UnsafeApi.getByte(null, srcAddress + i));
            }
            return;
        }
        for (int done = 0; done < count - 8; done += 8)
        {
            UnsafeApi.putLong(null, dstAddress + done, UnsafeApi.getLong(null, srcAddress + done));
        }
        // the last word ends at count, overlapping the one before when count is not a multiple of 8
        UnsafeApi.putLong(null, dstAddress + count - 8, UnsafeApi.getLong(null, srcAddress + count - 8));
    }
}
