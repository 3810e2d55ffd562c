package io.vplane.nic.uplink;

import io.vplane.engine.device.QueueWakeup;
import io.vplane.engine.errors.ErrorLog;
import io.vplane.engine.linux.Errno;
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
 * read with one {@code readv} straight into one of them, virtio-net header included (IFF_VNET_HDR,
 * 12-byte header). The switch decides on its own copy of the frame's start, as for any frame in
 * guest memory; when it hands the frame to that VM port, the port only publishes the used element.
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

    private final int[] fds;
    private final List<QueueWakeup> wakeups;
    private final MemorySegment txIovecs;
    private final MemorySegment zeroHeader;
    private MemorySegment hostIovecs;
    private int nextQueue;

    TapPort(final String name, final int[] fds, final GuestRxLenders.Slot vmSlot, final String vswitch,
        final boolean zeroCopy, final UplinkCounters counters, final ErrorLog errors)
    {
        super(name, vmSlot, vswitch, zeroCopy, counters, errors);
        this.fds = fds.clone();
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

    /** One readv per frame, queues in turn, into entries of {@code pool} or, when null, into own slots. */
    private int read(final FrameBurst burst, final GuestRxPool pool)
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
                if (n > HOST_SLOT_BYTES)
                {
                    counters.drop(UplinkCounters.Drop.FRAME_TOO_BIG);
                }
                else if (received(frame))
                {
                    burst.add(hostSlot(slot) + HEADER_SIZE, (int)frame, (int)frame, GuestRxPool.NOT_LENT | slot);
                }
            }
            else if (!addLent(burst, pool, entry, n, frame))
            {
                pool.putBack(entry);
            }
        }
        return burst.count();
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

    /** A TAP queue is readable while it holds frames: level-triggered, nothing to consume. */
    private record ReadableWakeup(int eventFd) implements QueueWakeup
    {
        @Override
        public boolean arm()
        {
            return true;
        }

        @Override
        public void disarm()
        {
        }

        @Override
        public void consume()
        {
        }
    }
}
