package io.vplane.nic.uplink;

import io.vplane.engine.device.QueueWakeup;
import io.vplane.engine.errors.ErrorLog;
import io.vplane.engine.linux.Errno;
import io.vplane.engine.linux.Iovec;
import io.vplane.engine.linux.VectorIo;
import io.vplane.nic.port.GuestRxLender;
import io.vplane.nic.port.GuestRxLenders;
import io.vplane.nic.port.GuestRxPool;
import io.vplane.nic.vswitch.FrameBurst;
import io.vplane.nic.vswitch.PortRole;
import io.vplane.nic.vswitch.SwitchPort;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

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
final class TapPort implements SwitchPort
{
    static final int HEADER_SIZE = 12;
    /** Own receive buffer: header and the longest frame the switch accepts. */
    static final int HOST_SLOT_BYTES = HEADER_SIZE + 65_535;
    private static final int MIN_FRAME = 14;

    private final String name;
    private final int[] fds;
    private final GuestRxLenders.Slot vmSlot;
    private final String vswitch;
    private final boolean zeroCopy;
    private final UplinkCounters counters;
    private final ErrorLog errors;
    private final List<QueueWakeup> wakeups;
    private final Arena arena = Arena.ofShared();
    private final CountDownLatch detachedLatch = new CountDownLatch(1);
    private final MemorySegment txIovecs;
    private final MemorySegment zeroHeader;
    private MemorySegment hostSlots;
    private MemorySegment hostIovecs;
    private GuestRxPool pool;
    private GuestRxLender lending;
    private FrameBurst lentBurst;
    private int nextQueue;

    TapPort(final String name, final int[] fds, final GuestRxLenders.Slot vmSlot, final String vswitch,
        final boolean zeroCopy, final UplinkCounters counters, final ErrorLog errors)
    {
        this.name = name;
        this.fds = fds.clone();
        this.vmSlot = vmSlot;
        this.vswitch = vswitch;
        this.zeroCopy = zeroCopy;
        this.counters = counters;
        this.errors = errors;
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
    public String name()
    {
        return name;
    }

    @Override
    public PortRole role()
    {
        return PortRole.UPLINK;
    }

    /** Frames lie in guest receive buffers, which their guest can write while the switch decides. */
    @Override
    public boolean framesInGuestMemory()
    {
        return zeroCopy;
    }

    @Override
    public List<QueueWakeup> wakeups()
    {
        return wakeups;
    }

    @Override
    public int receive(final FrameBurst burst)
    {
        if (null == pool || pool.capacity() < burst.capacity())
        {
            // once per burst size: the switch's burst capacity is fixed while it runs
            pool = new GuestRxPool(burst.capacity());
            hostSlots = arena.allocate((long)burst.capacity() * HOST_SLOT_BYTES, 64);
            hostIovecs = arena.allocate((long)burst.capacity() * Iovec.SIZE, 8);
            for (int i = 0; i < burst.capacity(); i++)
            {
                hostIovecs.set(ValueLayout.JAVA_LONG, (long)i * Iovec.SIZE + Iovec.BASE_OFFSET,
                    hostSlots.address() + (long)i * HOST_SLOT_BYTES);
                hostIovecs.set(ValueLayout.JAVA_LONG, (long)i * Iovec.SIZE + Iovec.LENGTH_OFFSET, HOST_SLOT_BYTES);
            }
        }
        final GuestRxLender lender = zeroCopy ? lenderOnThisSwitch() : null;
        if (null != lender && lender.lend(pool, burst, burst.capacity()))
        {
            lending = lender;
            lentBurst = burst;
            final int frames = readIntoGuest(burst);
            if (frames == 0)
            {
                endLend(lender, burst);
            }
            return frames;
        }
        return readIntoHost(burst);
    }

    private GuestRxLender lenderOnThisSwitch()
    {
        final GuestRxLender lender = vmSlot.lender();
        // lending works only within one switch: the VM port and this uplink share its thread
        return null != lender && vswitch.equals(vmSlot.vswitch()) ? lender : null;
    }

    private int readIntoGuest(final FrameBurst burst)
    {
        final GuestRxPool pool = this.pool;
        int emptyQueues = 0;
        while (emptyQueues < fds.length && !burst.isFull())
        {
            final int entry = pool.take();
            if (entry < 0)
            {
                break;
            }
            final int fd = fds[nextQueue];
            final long n = VectorIo.readv(fd, pool.iovecAddress(entry), pool.iovecCount(entry));
            if (n < 0)
            {
                pool.putBack(entry);
                if (n != -Errno.EAGAIN)
                {
                    readFailed(n);
                }
                emptyQueues++;
                nextQueue = (nextQueue + 1) % fds.length;
                continue;
            }
            emptyQueues = 0;
            final long frame = n - HEADER_SIZE;
            if (frame < MIN_FRAME)
            {
                pool.putBack(entry);
                counters.drop(UplinkCounters.Drop.SHORT_FRAME);
            }
            else if (n > pool.room(entry))
            {
                // the kernel truncated it to the buffer and still returned the whole length
                pool.putBack(entry);
                counters.drop(UplinkCounters.Drop.FRAME_TOO_BIG);
            }
            else if (frame > pool.frameRoom(entry))
            {
                pool.putBack(entry);
                counters.drop(UplinkCounters.Drop.SCATTERED);
            }
            else
            {
                burst.add(pool.frameAddress(entry), (int)frame, pool.frameRoom(entry), entry);
                counters.rxFramesPending++;
                counters.rxBytesPending += frame;
            }
        }
        return burst.count();
    }

    private int readIntoHost(final FrameBurst burst)
    {
        int emptyQueues = 0;
        while (emptyQueues < fds.length && !burst.isFull())
        {
            final int slot = burst.count();
            final long n = VectorIo.readv(fds[nextQueue], hostIovecs.address() + (long)slot * Iovec.SIZE, 1);
            if (n < 0)
            {
                if (n != -Errno.EAGAIN)
                {
                    readFailed(n);
                }
                emptyQueues++;
                nextQueue = (nextQueue + 1) % fds.length;
                continue;
            }
            emptyQueues = 0;
            final long frame = n - HEADER_SIZE;
            if (frame < MIN_FRAME)
            {
                counters.drop(UplinkCounters.Drop.SHORT_FRAME);
                continue;
            }
            if (n > HOST_SLOT_BYTES)
            {
                counters.drop(UplinkCounters.Drop.FRAME_TOO_BIG);
                continue;
            }
            burst.add(hostSlots.address() + (long)slot * HOST_SLOT_BYTES + HEADER_SIZE, (int)frame, (int)frame,
                GuestRxPool.NOT_LENT | slot);
            counters.rxFramesPending++;
            counters.rxBytesPending += frame;
            counters.copyPending++;
        }
        return burst.count();
    }

    private void readFailed(final long rc)
    {
        counters.drop(UplinkCounters.Drop.READ_ERROR);
        errors.record("uplink", "tap-read", name + ": readv failed: " + Errno.describe((int)-rc));
    }

    @Override
    public int transmit(final FrameBurst burst, final int index)
    {
        final int length = burst.length(index);
        final int head = burst.isolatedLength(index);
        final long iov = txIovecs.address();
        final MemorySegment iovecs = txIovecs;
        iovecs.set(ValueLayout.JAVA_LONG, Iovec.BASE_OFFSET, zeroHeader.address());
        iovecs.set(ValueLayout.JAVA_LONG, Iovec.LENGTH_OFFSET, HEADER_SIZE);
        int count = 1;
        if (head > 0)
        {
            iovecs.set(ValueLayout.JAVA_LONG, Iovec.SIZE + Iovec.BASE_OFFSET, burst.isolatedAddress(index));
            iovecs.set(ValueLayout.JAVA_LONG, Iovec.SIZE + Iovec.LENGTH_OFFSET, head);
            count++;
        }
        if (length > head)
        {
            final long at = (long)count * Iovec.SIZE;
            iovecs.set(ValueLayout.JAVA_LONG, at + Iovec.BASE_OFFSET, burst.address(index) + head);
            iovecs.set(ValueLayout.JAVA_LONG, at + Iovec.LENGTH_OFFSET, length - head);
            count++;
        }
        final long rc = VectorIo.writev(fds[0], iov, count);
        if (rc < 0)
        {
            counters.drop(UplinkCounters.Drop.WRITE_ERROR);
            if (rc != -Errno.EAGAIN)
            {
                errors.record("uplink", "tap-write", name + ": writev failed: " + Errno.describe((int)-rc));
            }
            return TX_REFUSED;
        }
        counters.txFramesPending++;
        counters.txBytesPending += length;
        return TX_SENT;
    }

    @Override
    public void release(final FrameBurst burst)
    {
        final GuestRxLender lender = lending;
        if (null != lender)
        {
            final int inPlace = pool.published();
            counters.zeroCopyPending += inPlace;
            counters.elsewherePending += burst.count() - inPlace;
            endLend(lender, burst);
        }
        counters.flush();
    }

    private void endLend(final GuestRxLender lender, final FrameBurst burst)
    {
        lending = null;
        lentBurst = null;
        lender.endLend(pool, burst);
    }

    @Override
    public void flush()
    {
        counters.flush();
    }

    @Override
    public boolean contain(final Throwable fault)
    {
        final GuestRxLender lender = lending;
        if (null != lender)
        {
            // only this VM's memory is touched while its buffers are in the burst: its receive ring stops
            pool.endBurst(lentBurst);
            lending = null;
            lentBurst = null;
            lender.abandonLend(fault);
        }
        return true;
    }

    @Override
    public void detached()
    {
        detachedLatch.countDown();
    }

    /** Control thread, after leaving the switch: waits until the switch has stopped calling this port. */
    boolean awaitDetached(final long timeoutMs)
    {
        try
        {
            return detachedLatch.await(timeoutMs, TimeUnit.MILLISECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** After the switch let go of this port: frees its memory. */
    void close()
    {
        arena.close();
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
