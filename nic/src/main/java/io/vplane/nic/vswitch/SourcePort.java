package io.vplane.nic.vswitch;

import org.agrona.BufferUtil;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Internal port that emits a fixed mix of frames, in turn, at a rate or flat out, for tests and load.
 * Frames are copied from their templates into the port's own off-heap buffers at each receive
 * (the switch rewrites them in place). Frames the switch sends to it are counted and discarded.
 */
public final class SourcePort extends NamedPort
{
    public static final int SLOT_BYTES = 2048;

    private final UnsafeBuffer templates;
    private final int[] templateOffsets;
    private final int[] templateLengths;
    private final long ratePerSec;
    private final long limit;
    private final NanoClock clock;
    private final UnsafeBuffer pool;
    private final long poolAddress;
    private final int slots;
    private long startNs = Long.MIN_VALUE;
    private long emitted;
    private int next;
    private long discarded;
    private final AtomicLong emittedPublished = new AtomicLong();
    private final AtomicLong discardedPublished = new AtomicLong();

    /**
     * @param frames     the mix, each at most {@value #SLOT_BYTES} bytes, emitted in turn
     * @param ratePerSec frames per second, 0 for flat out
     * @param limit      frames to emit in all, 0 for no limit
     * @param burstSize  the switch's burst size: frames in flight at most
     */
    public SourcePort(
        final String name, final PortRole role, final int vni, final List<byte[]> frames, final long ratePerSec,
        final long limit, final NanoClock clock, final int burstSize)
    {
        super(name, role, vni);
        if (frames.isEmpty())
        {
            throw new IllegalArgumentException("source port " + name + " needs at least one frame");
        }
        // all templates side by side in native memory: one copy per frame from a dense region
        this.templateOffsets = new int[frames.size()];
        this.templateLengths = new int[frames.size()];
        int total = 0;
        for (int i = 0; i < frames.size(); i++)
        {
            if (frames.get(i).length > SLOT_BYTES)
            {
                throw new IllegalArgumentException("source frames must be at most " + SLOT_BYTES + " bytes");
            }
            templateOffsets[i] = total;
            templateLengths[i] = frames.get(i).length;
            total += (frames.get(i).length + 7) & ~7;
        }
        this.templates = new UnsafeBuffer(BufferUtil.allocateDirectAligned(Math.max(8, total), 64));
        for (int i = 0; i < frames.size(); i++)
        {
            templates.putBytes(templateOffsets[i], frames.get(i));
        }
        this.ratePerSec = ratePerSec;
        this.limit = limit;
        this.clock = clock;
        this.slots = burstSize;
        final ByteBuffer memory = BufferUtil.allocateDirectAligned(burstSize * SLOT_BYTES, 64);
        this.pool = new UnsafeBuffer(memory);
        this.poolAddress = BufferUtil.address(memory);
    }

    @Override
    public int receive(final FrameBurst burst)
    {
        int allowed = Math.min(slots, burst.capacity() - burst.count());
        if (limit > 0)
        {
            allowed = (int)Math.min(allowed, limit - emitted);
        }
        if (ratePerSec > 0)
        {
            final long now = clock.nanoTime();
            if (startNs == Long.MIN_VALUE)
            {
                startNs = now;
            }
            final long due = (long)((now - startNs) * (ratePerSec / 1e9)) + 1;
            allowed = (int)Math.min(allowed, due - emitted);
        }
        for (int i = 0; i < allowed; i++)
        {
            final int template = next;
            next = next + 1 == templateOffsets.length ? 0 : next + 1;
            final int offset = i * SLOT_BYTES;
            final int length = templateLengths[template];
            pool.putBytes(offset, templates, templateOffsets[template], length);
            burst.add(poolAddress + offset, length, SLOT_BYTES, i);
        }
        if (allowed > 0)
        {
            emitted += allowed;
            emittedPublished.setRelease(emitted);
        }
        return Math.max(allowed, 0);
    }

    @Override
    public int transmit(final FrameBurst burst, final int index)
    {
        discarded++;
        return TX_SENT;
    }

    @Override
    public void release(final FrameBurst burst)
    {
        // slots are reused at the next receive
    }

    @Override
    public void flush()
    {
        discardedPublished.setRelease(discarded);
    }

    /** Frames emitted so far; any thread. */
    public long emitted()
    {
        return emittedPublished.getAcquire();
    }

    /** Frames the switch sent to this port; any thread. */
    public long discarded()
    {
        return discardedPublished.getAcquire();
    }
}
