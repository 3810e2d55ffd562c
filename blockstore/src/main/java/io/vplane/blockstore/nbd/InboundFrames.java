package io.vplane.blockstore.nbd;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;

import java.util.ArrayDeque;

/**
 * The bytes a connection received and has not decoded yet. Buffers are decoded where they are, and
 * WRITE payloads are slices of them, so data is not copied on the way in; only a frame split across
 * two reads is stitched together ({@link #advance}). Event loop only.
 */
final class InboundFrames
{
    /** Split frames up to this size are copied into one buffer; larger ones are composed of slices. */
    private static final int STITCH_COPY_LIMIT = 16 * 1024;
    /** Pieces a composed frame holds before Netty consolidates them (a copy): 32 MiB in 8 KiB reads. */
    private static final int MAX_FRAME_PIECES = 4096;

    /** The buffer being decoded: a received buffer as it came, or a stitch buffer holding one split frame. */
    private ByteBuf current;
    /** Payloads were handed out of {@link #current} (it is retained by them): it must never be written into again. */
    private boolean currentSliced;
    /** Received buffers waiting behind {@link #current}; decoded in place, never copied as a whole. */
    private final ArrayDeque<ByteBuf> pending = new ArrayDeque<>(8);
    /** Bytes the decoder needs from the start of {@link #current} to make progress (a header or a whole frame). */
    private int awaitedFrameBytes;

    void add(final ByteBuf in)
    {
        if (null == current)
        {
            current = in;
            currentSliced = false;
        }
        else
        {
            pending.offer(in);
        }
    }

    /** The buffer to decode from, or null when nothing is buffered. */
    ByteBuf current()
    {
        return current;
    }

    /** More received buffers wait behind the current one. */
    boolean hasMore()
    {
        return !pending.isEmpty();
    }

    /** Bytes are buffered that nobody decoded (a peer that did not wait for a reply it had to). */
    boolean hasUndecoded()
    {
        return (null != current && current.isReadable()) || !pending.isEmpty();
    }

    /** The decoder needs {@code frameBytes} from the current position to go on. */
    void await(final int frameBytes)
    {
        awaitedFrameBytes = frameBytes;
    }

    /** A payload was handed out of the current buffer: it is never written into again. */
    void sliced()
    {
        currentSliced = true;
    }

    /**
     * Moves on when the current buffer cannot complete a frame: to the next buffer when it is read
     * out, else completes its partial frame with bytes of the next ones. Call only when
     * {@link #hasMore()}.
     */
    void advance(final ByteBufAllocator alloc)
    {
        if (current.isReadable())
        {
            stitch(alloc);
        }
        else
        {
            // Payload slices handed to workers keep their memory alive through their own reference.
            current.release();
            current = pending.poll();
            currentSliced = false;
        }
    }

    /** After a decode pass: lets go of a buffer that is read out. */
    void trim()
    {
        if (null != current && !current.isReadable() && pending.isEmpty())
        {
            current.release();
            current = null;
        }
    }

    void release()
    {
        if (null != current)
        {
            current.release();
            current = null;
        }
        ByteBuf buffer;
        while (null != (buffer = pending.poll()))
        {
            buffer.release();
        }
    }

    /**
     * Completes the partial frame at the end of {@link #current} with bytes from the next received
     * buffers: copies the partial frame and just the missing bytes into a buffer sized for the
     * frame, so only the split frame is copied. A buffer that handed out payload slices is never
     * written into (a pooled buffer that moves would leave the slices reading freed memory).
     */
    private void stitch(final ByteBufAllocator alloc)
    {
        if (awaitedFrameBytes > STITCH_COPY_LIMIT)
        {
            stitchWithoutCopy(alloc);
            return;
        }
        final int readable = current.readableBytes();
        final int missing = Math.max(1, awaitedFrameBytes - readable);
        ByteBuf target = current;
        if (currentSliced || current.writableBytes() < missing || current.maxFastWritableBytes() < missing)
        {
            target = alloc.directBuffer(Math.max(readable + missing, awaitedFrameBytes));
            target.writeBytes(current);
            current.release();
            current = target;
            currentSliced = false;
        }
        int needed = missing;
        while (needed > 0 && !pending.isEmpty())
        {
            final ByteBuf next = pending.peek();
            final int n = Math.min(needed, next.readableBytes());
            target.writeBytes(next, n);
            needed -= n;
            if (!next.isReadable())
            {
                pending.poll().release();
            }
        }
    }

    /**
     * A large frame (a big WRITE spans many reads) is assembled from slices of the received buffers
     * in a composite buffer instead of being copied; its payload reaches the disk with one write per
     * piece.
     */
    private void stitchWithoutCopy(final ByteBufAllocator alloc)
    {
        final CompositeByteBuf composite;
        if (current instanceof final CompositeByteBuf open && !currentSliced)
        {
            composite = open;
        }
        else
        {
            composite = alloc.compositeDirectBuffer(MAX_FRAME_PIECES);
            composite.addComponent(true, current.readRetainedSlice(current.readableBytes()));
            current.release();
            current = composite;
            currentSliced = false;
        }
        while (composite.readableBytes() < awaitedFrameBytes && !pending.isEmpty())
        {
            final ByteBuf next = pending.peek();
            final int n = Math.min(awaitedFrameBytes - composite.readableBytes(), next.readableBytes());
            composite.addComponent(true, next.readRetainedSlice(n));
            if (!next.isReadable())
            {
                pending.poll().release();
            }
        }
    }
}
