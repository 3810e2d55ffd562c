package io.vplane.nic.uplink;

import io.vplane.engine.linux.Iovec;
import io.vplane.nic.vswitch.FrameBurst;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** The iovecs that send a frame of a burst as the switch forwards it: its isolated start from the switch's copy, the rest from where it was received. */
final class FrameIovecs
{
    private FrameIovecs()
    {
    }

    /**
     * Writes one or two iovecs for frame {@code index} of {@code burst} from iovec {@code first} on,
     * in the iovec array at {@code base} of {@code iovecs}.
     *
     * @return the iovec count from the start of that array
     */
    static int write(final MemorySegment iovecs, final long base, final int first, final FrameBurst burst, final int index)
    {
        final int length = burst.length(index);
        final int head = burst.isolatedLength(index);
        int count = first;
        if (head > 0)
        {
            iovecs.set(ValueLayout.JAVA_LONG, base + (long)count * Iovec.SIZE + Iovec.BASE_OFFSET, burst.isolatedAddress(index));
            iovecs.set(ValueLayout.JAVA_LONG, base + (long)count * Iovec.SIZE + Iovec.LENGTH_OFFSET, head);
            count++;
        }
        if (length > head)
        {
            iovecs.set(ValueLayout.JAVA_LONG, base + (long)count * Iovec.SIZE + Iovec.BASE_OFFSET, burst.address(index) + head);
            iovecs.set(ValueLayout.JAVA_LONG, base + (long)count * Iovec.SIZE + Iovec.LENGTH_OFFSET, length - head);
            count++;
        }
        return count;
    }
}
