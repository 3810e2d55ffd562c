package io.vplane.nic.vswitch;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Internal port that counts and checks the frames the switch sends to it, without copying them; it
 * can keep copies of the last frames for tests. It never emits frames.
 */
public final class SinkPort extends NamedPort
{
    /** Decides whether a frame that arrived is what was expected. */
    @FunctionalInterface
    public interface FrameCheck
    {
        boolean check(DirectBuffer frame, int length);
    }

    private final FrameCheck check;
    private final UnsafeBuffer view = new UnsafeBuffer(0, 0);
    /** Where a checked frame with an isolated start is put together; grown once to the longest frame. */
    private java.lang.foreign.MemorySegment linear;
    private final byte[][] captured;
    private final int[] capturedLengths;
    private long frames;
    private long bytes;
    private long failed;
    private long refuseAfter = Long.MAX_VALUE;
    private final AtomicLong framesPublished = new AtomicLong();
    private final AtomicLong bytesPublished = new AtomicLong();
    private final AtomicLong failedPublished = new AtomicLong();

    /**
     * @param check   applied to every frame, null for none
     * @param capture how many of the last frames to keep copies of (0: none)
     */
    public SinkPort(final String name, final PortRole role, final int vni, final FrameCheck check, final int capture)
    {
        super(name, role, vni);
        this.check = check;
        this.captured = new byte[capture][SourcePort.SLOT_BYTES];
        this.capturedLengths = new int[capture];
    }

    public static SinkPort counting(final String name, final PortRole role)
    {
        return new SinkPort(name, role, 0, null, 0);
    }

    /** Tests: refuse (as a full ring would) every frame after this many. */
    public void refuseAfter(final long frames)
    {
        this.refuseAfter = frames;
    }

    @Override
    public int receive(final FrameBurst burst)
    {
        return 0;
    }

    @Override
    public int transmit(final FrameBurst burst, final int index)
    {
        if (frames >= refuseAfter)
        {
            return TX_REFUSED;
        }
        final int length = burst.length(index);
        if (burst.isolatedLength(index) > 0 && (null != check || captured.length > 0))
        {
            // the frame as the switch forwards it: its start from the switch's copy (FrameBurst.copyTo)
            if (null == linear || linear.byteSize() < length)
            {
                linear = java.lang.foreign.Arena.ofAuto().allocate(Math.max(length, SourcePort.SLOT_BYTES));
            }
            burst.copyTo(index, 0, linear, 0, length);
            view.wrap(linear.address(), length);
        }
        else
        {
            view.wrap(burst.address(index), length);
        }
        if (null != check && !check.check(view, length))
        {
            failed++;
        }
        if (captured.length > 0)
        {
            final int slot = (int)(frames % captured.length);
            view.getBytes(0, captured[slot], 0, Math.min(length, captured[slot].length));
            capturedLengths[slot] = length;
        }
        frames++;
        bytes += length;
        return TX_SENT;
    }

    @Override
    public void release(final FrameBurst burst)
    {
    }

    @Override
    public void flush()
    {
        framesPublished.setRelease(frames);
        bytesPublished.setRelease(bytes);
        failedPublished.setRelease(failed);
    }

    public long frames()
    {
        return framesPublished.getAcquire();
    }

    public long bytes()
    {
        return bytesPublished.getAcquire();
    }

    /** Frames the check rejected. */
    public long failed()
    {
        return failedPublished.getAcquire();
    }

    /**
     * A copy of a kept frame; call from the switch thread or after it stopped.
     *
     * @param back 0 for the last frame, 1 for the one before, ...
     */
    public byte[] captured(final int back)
    {
        if (back >= captured.length || back >= frames)
        {
            return null;
        }
        final int slot = (int)((frames - 1 - back) % captured.length);
        return java.util.Arrays.copyOf(captured[slot], capturedLengths[slot]);
    }
}
