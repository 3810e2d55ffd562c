package io.vplane.nic.port;

import java.lang.foreign.MemorySegment;

/** Where the bytes of one frame come from when it is copied into guest rx buffers. */
interface FrameSource
{
    /** Frame length in bytes (without the virtio-net header). */
    int frameLength();

    /** Copies frame bytes [{@code from}, {@code from + length}) to {@code dst} at {@code dstOffset}. */
    void copyTo(int from, MemorySegment dst, long dstOffset, int length);
}
