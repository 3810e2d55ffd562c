package io.vplane.nic.uplink;

import io.vplane.engine.device.QueueWakeup;
import io.vplane.engine.errors.ErrorLog;
import io.vplane.engine.linux.Errno;
import io.vplane.engine.linux.IoUring;
import io.vplane.engine.linux.Iovec;
import io.vplane.engine.linux.VectorIo;
import io.vplane.nic.port.GuestRxLenders;
import io.vplane.nic.port.GuestRxPool;
import io.vplane.nic.vswitch.FrameBurst;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * A TAP device as an uplink port of the vSwitch, serving one VM port; all of it runs on the
 * switch's thread.
 *
 * <p><b>Receive</b> ({@link #receive}): the VM port lends receive buffers from its guest's ring
 * ({@link GuestRxLender#lend}: a {@link GuestRxPool} of buffer-control entries) and each frame is
 * read straight into one of them, virtio-net header included (IFF_VNET_HDR, 12-byte header). The
 * reads of a burst go to the kernel together: one io_uring submit of N reads into N lent buffers
 * (each performed at once, RWF_NOWAIT; those that find the queue empty complete with EAGAIN), the
 * completions reaped from the ring without a system call. Without io_uring (a kernel or sandbox
 * that refuses it) each frame is one {@code readv}, and the last of a burst one more that says
 * EAGAIN. The batch size follows the traffic: it doubles while every read finds a frame and falls
 * to twice what was found when some do not, so an idle queue costs one small submit per poll.
 * The switch decides on its own copy of the frame's start, as for any frame in guest memory;
 * when it hands the frame to that VM port, the port only publishes the used element.
 * A frame it sends elsewhere (a proxy reply, another VM, a flood) leaves from there and the buffer
 * goes back to the pool. While the VM's ring holds no buffer, frames stay in the TAP queue (the
 * kernel's own backpressure). Without a lending VM port (not running, not on this switch,
 * {@code zeroCopy: false}) frames are read into the uplink's own memory and the switch copies them
 * into whichever guest they are for: the copy path.
 *
 * <p><b>Transmit</b> ({@link #transmit}): one {@code writev} per frame of a zeroed header, the
 * switch's copy of the frame's start and the rest straight from the sender's guest buffer; the
 * kernel has copied it when the call returns, so the sender's descriptor can go back at once.
 */
final class TapPort extends LendingUplinkPort
{
    static final int HEADER_SIZE = 12;
    /** Reads submitted at least per queue poll, so an idle queue costs one small submit. */
    static final int MIN_BATCH = 4;
    /** Reads per submit at most (a burst of the switch is at most this long in practice). */
    static final int RING_ENTRIES = 256;

    private final int[] fds;
    private final List<QueueWakeup> wakeups;
    private final MemorySegment txIovecs;
    private final MemorySegment zeroHeader;
    private MemorySegment hostIovecs;
    private int nextQueue;
    /** Null when every frame is one readv. */
    private IoUring ring;
    /** A ring that failed once, closed with the port: never entered again. */
    private IoUring failedRing;
    /** Tokens of the reads of the current submit, in queue order. */
    private final long[] submitted;
    private final long[] completed;
    private int batch = MIN_BATCH;

    TapPort(final String name, final int[] fds, final GuestRxLenders.Slot vmSlot, final String vswitch,
        final boolean zeroCopy, final boolean ioUring, final UplinkCounters counters, final ErrorLog errors)
    {
        super(name, vmSlot, vswitch, zeroCopy, counters, errors);
        this.fds = fds.clone();
        this.ring = ioUring ? openRing(RING_ENTRIES) : null;
        this.submitted = new long[null == ring ? 0 : ring.capacity()];
        this.completed = new long[submitted.length];
        this.txIovecs = arena.allocate(3L * Iovec.SIZE, 8);
        this.zeroHeader = arena.allocate(HEADER_SIZE, 8);
        final List<QueueWakeup> list = new ArrayList<>();
        for (final int fd : this.fds)
        {
            list.add(new ReadableWakeup(fd));
        }
        this.wakeups = List.copyOf(list);
    }

    @Override
    public List<QueueWakeup> wakeups()
    {
        return wakeups;
    }

    @Override
    protected void allocated(final int capacity)
    {
        hostIovecs = arena.allocate((long)capacity * Iovec.SIZE, 8);
        for (int i = 0; i < capacity; i++)
        {
            hostIovecs.set(ValueLayout.JAVA_LONG, (long)i * Iovec.SIZE + Iovec.BASE_OFFSET, hostSlot(i));
            hostIovecs.set(ValueLayout.JAVA_LONG, (long)i * Iovec.SIZE + Iovec.LENGTH_OFFSET, HOST_SLOT_BYTES);
        }
    }

    private IoUring openRing(final int entries)
    {
        try
        {
            return IoUring.open(entries);
        }
        catch (final IllegalStateException ex)
        {
            errors.record("uplink", "io_uring", name() + ": no io_uring, one readv per frame: " + ex.getMessage());
            return null;
        }
    }

    /** Whether the burst's reads go to the kernel in one io_uring submit (else one readv each). */
    boolean batched()
    {
        return null != ring;
    }

    @Override
    protected int readIntoGuest(final FrameBurst burst, final GuestRxPool pool)
    {
        return read(burst, pool);
    }

    @Override
    protected int readIntoHost(final FrameBurst burst)
    {
        return read(burst, null);
    }

    /** Frames from the queues in turn, into entries of {@code pool} or, when null, into own slots. */
    private int read(final FrameBurst burst, final GuestRxPool pool)
    {
        return null != ring ? readBatched(burst, pool) : readEach(burst, pool);
    }

    /** One io_uring submit of up to {@link #batch} reads per queue poll; all have completed when it returns. */
    private int readBatched(final FrameBurst burst, final GuestRxPool pool)
    {
        final IoUring ring = this.ring;
        int emptyQueues = 0;
        // own slots are used once per burst: a read that found nothing leaves its slot unused, and
        // one that ran after it may have found a frame, so frames need not lie in slot order
        int nextSlot = burst.count();
        while (emptyQueues < fds.length && !burst.isFull())
        {
            final int want = Math.min(Math.min(batch, ring.capacity()),
                null == pool ? burst.capacity() - nextSlot : Math.min(burst.capacity() - burst.count(), pool.readyCount()));
            if (want == 0)
            {
                break;
            }
            final int fd = fds[nextQueue];
            for (int i = 0; i < want; i++)
            {
                if (null == pool)
                {
                    submitted[i] = GuestRxPool.NOT_LENT | nextSlot;
                    ring.readv(fd, hostIovecs.address() + (long)nextSlot * Iovec.SIZE, 1, submitted[i]);
                    nextSlot++;
                }
                else
                {
                    final int entry = pool.take();
                    submitted[i] = entry;
                    ring.readv(fd, pool.iovecAddress(entry), pool.iovecCount(entry), entry);
                }
            }
            final int rc = ring.submit();
            if (rc != want || ring.completions() != want)
            {
                abandonRing(burst, pool, want, rc);
                return burst.count();
            }
            final int found = reap(burst, pool, want);
            receiveCall(found);
            batch = found == want ? Math.min(batch * 2, ring.capacity()) : Math.max(MIN_BATCH, found * 2);
            if (found < want)
            {
                emptyQueues++;
                nextQueue = (nextQueue + 1) % fds.length;
            }
            else
            {
                emptyQueues = 0;
            }
        }
        return burst.count();
    }

    /** Takes the {@code submitted} completions in the order the reads ran. @return reads that found a frame */
    private int reap(final FrameBurst burst, final GuestRxPool pool, final int submitted)
    {
        final IoUring ring = this.ring;
        final int completions = Math.min(ring.completions(), submitted);
        int found = 0;
        for (int i = 0; i < completions; i++)
        {
            final long token = ring.userData(i);
            final long n = ring.result(i);
            if (n < 0)
            {
                if (null != pool)
                {
                    pool.putBack((int)token);
                }
                if (n != -Errno.EAGAIN)
                {
                    readFailed("io_uring read", n);
                }
                continue;
            }
            found++;
            if (null == pool)
            {
                addOwn(burst, (int)(token & ~GuestRxPool.NOT_LENT), n);
            }
            else if (!addLent(burst, pool, (int)token, n, n - HEADER_SIZE))
            {
                pool.putBack((int)token);
            }
        }
        ring.consume(completions);
        return found;
    }

    /**
     * The submit failed, took only part of the reads, or a read went on in the kernel: the ring is
     * never entered again (a read left in it could run later, into a buffer no longer lent) and this
     * port reads with readv from now on. The reads that completed are taken as usual; the buffers of
     * those never submitted go back to the pool; a buffer whose read may still complete stays out of
     * it until the VM's ring is set up again.
     */
    private void abandonRing(final FrameBurst burst, final GuestRxPool pool, final int want, final int rc)
    {
        readFailed("io_uring_enter", rc < 0 ? rc : -Errno.EIO);
        final int completions = Math.min(ring.completions(), want);
        for (int i = 0; i < completions; i++)
        {
            completed[i] = ring.userData(i);
        }
        reap(burst, pool, completions);
        failedRing = ring;
        ring = null;
        for (int i = Math.max(rc, 0); i < want && null != pool; i++)
        {
            boolean ran = false;
            for (int j = 0; j < completions && !ran; j++)
            {
                ran = completed[j] == submitted[i];
            }
            if (!ran)
            {
                pool.putBack((int)submitted[i]);
            }
        }
    }

    /** One readv per frame, queues in turn, into entries of {@code pool} or, when null, into own slots. */
    private int readEach(final FrameBurst burst, final GuestRxPool pool)
    {
        int emptyQueues = 0;
        while (emptyQueues < fds.length && !burst.isFull())
        {
            final int entry = null == pool ? -1 : pool.take();
            if (null != pool && entry < 0)
            {
                break;
            }
            final int slot = burst.count();
            final long n = null == pool ? VectorIo.readv(fds[nextQueue], hostIovecs.address() + (long)slot * Iovec.SIZE, 1) :
                VectorIo.readv(fds[nextQueue], pool.iovecAddress(entry), pool.iovecCount(entry));
            receiveCall(n < 0 ? 0 : 1);
            if (n < 0)
            {
                if (null != pool)
                {
                    pool.putBack(entry);
                }
                if (n != -Errno.EAGAIN)
                {
                    readFailed("readv", n);
                }
                emptyQueues++;
                nextQueue = (nextQueue + 1) % fds.length;
                continue;
            }
            emptyQueues = 0;
            final long frame = n - HEADER_SIZE;
            if (null == pool)
            {
                addOwn(burst, slot, n);
            }
            else if (!addLent(burst, pool, entry, n, frame))
            {
                pool.putBack(entry);
            }
        }
        return burst.count();
    }

    private void addOwn(final FrameBurst burst, final int slot, final long n)
    {
        final long frame = n - HEADER_SIZE;
        if (n > HOST_SLOT_BYTES)
        {
            counters.drop(UplinkCounters.Drop.FRAME_TOO_BIG);
        }
        else if (received(frame))
        {
            burst.add(hostSlot(slot) + HEADER_SIZE, (int)frame, (int)frame, GuestRxPool.NOT_LENT | slot);
        }
    }

    private boolean addLent(final FrameBurst burst, final GuestRxPool pool, final int entry, final long n, final long frame)
    {
        if (n > pool.room(entry))
        {
            // the kernel truncated it to the buffer and still returned the whole length
            counters.drop(UplinkCounters.Drop.FRAME_TOO_BIG);
            return false;
        }
        if (frame > pool.frameRoom(entry))
        {
            counters.drop(UplinkCounters.Drop.SCATTERED);
            return false;
        }
        if (!received(frame))
        {
            return false;
        }
        burst.add(pool.frameAddress(entry), (int)frame, pool.frameRoom(entry), entry);
        return true;
    }

    @Override
    public int transmit(final FrameBurst burst, final int index)
    {
        final int length = burst.length(index);
        final MemorySegment iovecs = txIovecs;
        iovecs.set(ValueLayout.JAVA_LONG, Iovec.BASE_OFFSET, zeroHeader.address());
        iovecs.set(ValueLayout.JAVA_LONG, Iovec.LENGTH_OFFSET, HEADER_SIZE);
        final int count = FrameIovecs.write(iovecs, 0, 1, burst, index);
        final long rc = VectorIo.writev(fds[0], iovecs.address(), count);
        if (rc < 0)
        {
            sendFailed("writev", rc);
            counters.drop(UplinkCounters.Drop.WRITE_ERROR);
            return TX_REFUSED;
        }
        counters.txFramesPending++;
        counters.txBytesPending += length;
        return TX_SENT;
    }

    @Override
    void close()
    {
        if (null != ring)
        {
            ring.close();
        }
        if (null != failedRing)
        {
            failedRing.close();
        }
        super.close();
    }
}
