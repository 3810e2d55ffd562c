package io.vplane.nic.vswitch;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Copies of a frame's start (at most {@link FrameBurst#ISOLATED_BYTES}) as 8-byte loads and stores
 * compiled into the caller. {@code MemorySegment.copy} calls a native copy stub from 64 bytes on,
 * with overlap and liveness checks per call; inline, the loads of a burst's frames are independent
 * instructions the CPU overlaps ({@code VswitchStage.switchBurst} isolates a whole burst in one
 * loop). The profile of the PVP loop showed the time in either form is the cache misses on the
 * guests' lines, not the call.
 */
final class WordCopy
{
    private static final ValueLayout.OfLong WORD = ValueLayout.JAVA_LONG_UNALIGNED;

    private WordCopy()
    {
    }

    /** Copies {@code count} bytes; the two ranges must not overlap. */
    static void copy(final MemorySegment src, final long srcOffset, final MemorySegment dst, final long dstOffset, final int count)
    {
        int done = 0;
        for (; done <= count - 8; done += 8)
        {
            dst.set(WORD, dstOffset + done, src.get(WORD, srcOffset + done));
        }
        for (; done < count; done++)
        {
            dst.set(ValueLayout.JAVA_BYTE, dstOffset + done, src.get(ValueLayout.JAVA_BYTE, srcOffset + done));
        }
    }
}
