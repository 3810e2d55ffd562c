package io.vplane.engine.linux;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * {@code struct open_how}, the argument of openat2(2) (linux/openat2.h):
 * <pre>
 *   0                   8                   16                  24
 *   +-------------------+-------------------+-------------------+
 *   |  flags (u64)      |  mode (u64)       |  resolve (u64)    |
 *   +-------------------+-------------------+-------------------+
 * </pre>
 * The kernel refuses unknown bits and a mode without O_CREAT, so every field is written each time.
 */
final class OpenHow
{
    static final int SIZE = 24;
    private static final int FLAGS_OFFSET = 0;
    private static final int MODE_OFFSET = 8;
    private static final int RESOLVE_OFFSET = 16;

    private OpenHow()
    {
    }

    static void set(final MemorySegment how, final int flags, final int mode, final long resolve)
    {
        how.set(ValueLayout.JAVA_LONG, FLAGS_OFFSET, flags & 0xFFFF_FFFFL);
        how.set(ValueLayout.JAVA_LONG, MODE_OFFSET, mode & 0xFFFF_FFFFL);
        how.set(ValueLayout.JAVA_LONG, RESOLVE_OFFSET, resolve);
    }
}
