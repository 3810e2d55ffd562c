package io.vplane.nic.port;

import io.vplane.virtio.virtq.DescriptorChain;
import io.vplane.virtio.virtq.SplitVirtQueue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Copies one frame, behind a 12-byte virtio-net header, into the guest's receive buffers. With
 * MRG_RXBUF a frame may spread over several buffer chains and {@code num_buffers} says how many
 * (virtio 1.2 §5.1.6.4); without it the frame must fit one chain. Used elements are written only
 * once the whole frame is in place, so running out of buffers midway gives the heads back.
 */
final class GuestRxWriter
{
    static final int DELIVERED = 1;
    static final int NO_BUFFERS = 0;
    static final int ERR_NOT_WRITABLE = -101;
    static final int ERR_HEADER_SPLIT = -102;
    static final int ERR_TOO_MANY_BUFFERS = -103;
    static final int ERR_FRAME_TOO_BIG = -104;
    /** Limits the buffers of one frame: 64 KiB in buffers of 1 KiB. */
    static final int MAX_BUFFERS = 64;

    private final int[] heads = new int[MAX_BUFFERS];
    private final int[] lens = new int[MAX_BUFFERS];
    private int headsTaken;

    GuestRxWriter()
    {
    }

    /** Heads the last successful {@link #deliver} consumed. */
    int headsTaken()
    {
        return headsTaken;
    }

    /**
     * @param pending heads the driver made available that this burst has not taken yet
     * @return {@link #DELIVERED}, {@link #NO_BUFFERS} (nothing taken), or a negative error (the ring is bad)
     */
    int deliver(
        final SplitVirtQueue queue,
        final DescriptorChain chain,
        final FrameSource frame,
        final int pending,
        final boolean mergeable)
    {
        headsTaken = 0;
        final int frameLength = frame.frameLength();
        if (frameLength < 0 || frameLength > ChainFrame.MAX_LENGTH)
        {
            // the header and frame together must not wrap an int
            return ERR_FRAME_TOO_BIG;
        }
        final int total = VirtioNet.HEADER_SIZE + frameLength;
        int written = 0;
        int buffers = 0;
        MemorySegment headerSegment = null;
        long headerOffset = 0;
        while (written < total)
        {
            if (buffers == pending || (buffers > 0 && !mergeable) || buffers == MAX_BUFFERS)
            {
                queue.untakeHeads(buffers);
                if (buffers == pending)
                {
                    return NO_BUFFERS;
                }
                return mergeable ? ERR_TOO_MANY_BUFFERS : ERR_FRAME_TOO_BIG;
            }
            final int head = queue.takeHead();
            final int rc = queue.walk(head, chain);
            if (rc < 0)
            {
                return rc;
            }
            int chainWritten = 0;
            for (int i = 0; i < chain.count() && written < total; i++)
            {
                if (!chain.writable(i))
                {
                    return ERR_NOT_WRITABLE;
                }
                final MemorySegment segment = chain.segment(i);
                final long offset = chain.offset(i);
                final int len = chain.length(i);
                int at = 0;
                if (written == 0)
                {
                    if (len < VirtioNet.HEADER_SIZE)
                    {
                        return ERR_HEADER_SPLIT;
                    }
                    // no offloads: flags, gso and checksum fields zero; bytes 8..11 (csum_offset,
                    // num_buffers) are written with the buffer count once it is known
                    segment.set(ValueLayout.JAVA_LONG_UNALIGNED, offset, 0L);
                    headerSegment = segment;
                    headerOffset = offset;
                    at = VirtioNet.HEADER_SIZE;
                    written = VirtioNet.HEADER_SIZE;
                }
                final int n = Math.min(len - at, total - written);
                if (n > 0)
                {
                    frame.copyTo(written - VirtioNet.HEADER_SIZE, segment, offset + at, n);
                    written += n;
                    at += n;
                }
                chainWritten += at;
            }
            heads[buffers] = head;
            lens[buffers] = chainWritten;
            buffers++;
        }
        headerSegment.set(ValueLayout.JAVA_INT_UNALIGNED, headerOffset + 8, buffers << 16);
        for (int i = 0; i < buffers; i++)
        {
            queue.addUsed(heads[i], lens[i]);
        }
        headsTaken = buffers;
        return DELIVERED;
    }

    static String describeError(final int code)
    {
        return switch (code)
        {
            case ERR_NOT_WRITABLE -> "receive buffer not device-writable";
            case ERR_HEADER_SPLIT -> "first receive buffer shorter than the 12-byte header";
            case ERR_TOO_MANY_BUFFERS -> "frame needs more than " + MAX_BUFFERS + " receive buffers";
            case ERR_FRAME_TOO_BIG -> "frame larger than one receive chain without MRG_RXBUF";
            default -> SplitVirtQueue.describeError(code);
        };
    }
}
