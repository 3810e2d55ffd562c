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
        view.wrap(burst.address(index), length);
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
