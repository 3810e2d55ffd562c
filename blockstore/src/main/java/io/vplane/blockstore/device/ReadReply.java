package io.vplane.blockstore.device;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.io.IOException;

/**
 * One READ reply being built by a blk worker: the caller encodes segment headers into
 * {@link #headers()}, and {@link #data} appends the disk's bytes after what was encoded so far.
 * One instance per executor, reused for every request; only its worker calls it.
 */
interface ReadReply
{
    /**
     * @param dataBytes  bytes of disk data the reply will carry at most
     * @param maxSegments  segment headers it will carry at most
     * @param headerBytes  bytes of one segment header at most
     */
    void begin(ByteBufAllocator alloc, int dataBytes, int maxSegments, int headerBytes);

    /** Where the next header goes. */
    ByteBuf headers();

    /** Appends {@code length} bytes of the disk from {@code offset}. */
    void data(long offset, int length) throws IOException;

    /** @return the reply, owned by the caller from now on */
    ByteBuf finish();

    /** Drops the reply being built (the request failed). */
    void discard();
}
