package io.vplane.nic.uplink;

import io.vplane.engine.device.QueueWakeup;
import io.vplane.engine.errors.ErrorLog;
import io.vplane.engine.linux.EpollFd;
import io.vplane.engine.linux.Errno;
import io.vplane.engine.linux.FileIo;
import io.vplane.engine.linux.XdpRing;
import io.vplane.engine.linux.XdpSocket;
import io.vplane.nic.port.GuestRxLender;
import io.vplane.nic.port.GuestRxLenders;
import io.vplane.nic.port.GuestRxPool;
import io.vplane.nic.vswitch.FrameBurst;
import io.vplane.virtio.memory.GuestMemory;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An AF_XDP socket as an uplink port of the vSwitch; all of it runs on the switch's thread and makes
 * no allocation per frame or burst.
 *
 * <p>The UMEM starts with the uplink's own chunks: the first {@code rxFrames} receive, the next
 * {@code txFrames} transmit. <b>Receive into guest buffers</b> (buffer-address substitution, when a
 * {@code vmPort} is set and its VM port lends on this switch): the UMEM also covers the VM's memory
 * ({@link GuestUmem}, unaligned-chunk mode) and the fill ring is stocked with the VM's receive
 * buffers, taken from its receive ring through a {@link GuestRxPool}: each buffer's frame start,
 * less the UMEM headroom and the 256 bytes the kernel leaves before a frame (so the frame lands right
 * behind the 12-byte virtio-net header the VM port writes in place; the kernel never writes the
 * bytes before it, which are the guest's). A buffer is lent only when the kernel's limit for a frame
 * ({@code frameSize - headroom - 256} bytes: the MTU's frame, so that a Linux guest's 1536-byte
 * buffers fit) fits in it and in one region, and the fill address lies in the UMEM. The kernel writes the frame
 * into the guest's buffer; the switch hands it on and the VM port only publishes the used element
 * (zero copy). Own receive chunks ({@link #LOW_WATER} at most) go into the fill ring only when it
 * holds no guest buffer (the guest's ring ran dry): frames in them take the copy path, and
 * {@link #RESERVE} of the VM's buffers are left in its ring for them. When the VM
 * port's ring changes (reconnect, new memory table) or the port goes, the socket is closed (fill
 * entries cannot be taken back) and opened again over the new memory, or over own memory alone.
 * <b>Receive into own memory</b> (no VM port): every own receive chunk not in use is in the fill ring,
 * back in one ring update when the switch releases the burst; the switch copies each frame into the
 * guest it is for. A burst is whatever the rx ring holds, read without a system call.
 * <b>Transmit</b>: a frame is copied into a free transmit chunk and its descriptor written to the tx
 * ring; at the end of the switch's cycle ({@link #flush}) the ring's new entries are published and,
 * when the kernel asks for it (need-wakeup; always in copy mode), one {@code sendto} per batch the
 * kernel takes makes it send them. Sent chunks come back through the completion ring.
 *
 * <p>Frame offsets read from the rings are checked before use: an own chunk must hold the whole
 * frame, a guest offset must be one lent and not yet returned; anything else is counted
 * ({@code read_error}) and dropped.
 */
final class AfXdpPort extends UplinkPort
{
    /** Opens a socket on the uplink's queue over a UMEM (null: own memory only) and puts it in the XSKMAP. */
    interface Sockets
    {
        XdpSocket open(MemorySegment umem);
    }

    /** How often the kernel's own counters of the socket are read (a getsockopt). */
    private static final long STATISTICS_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** Sends per flush at most: the kernel takes a batch (32 frames by default) per sendto in copy mode. */
    private static final int MAX_KICKS = 8;
    /** Own receive chunks join guest buffers in the fill ring only when fewer buffers than this are in it. */
    static final int LOW_WATER = 32;
    /**
     * Receive buffers left in the VM's ring, not lent: a frame that lands in an own chunk while the
     * kernel holds the VM's buffers (the guest had run dry) can still be copied to the VM.
     */
    static final int RESERVE = 32;
    private static final long HOST_CHUNK_MASK = GuestRxPool.NOT_LENT - 1;

    private final Sockets sockets;
    private final GuestRxLenders.Slot vmSlot;
    private final String vswitch;
    private final int frameSize;
    /** Bytes from a fill address to the frame the kernel writes: the UMEM headroom and XDP_PACKET_HEADROOM. */
    private final int frameOffset;
    /** Bytes the kernel may write from a frame's start: a lent guest buffer must have them. */
    private final int frameWindow;
    private final int rxFrames;
    private final int txFrames;
    private final long rxBytes;
    private XdpSocket socket;
    private XdpRing rx;
    private XdpRing fill;
    private XdpRing tx;
    private XdpRing completion;
    private MemorySegment umem;
    private long umemBase;
    /** The socket's wakeup, through an epoll set of our own so a reopened socket needs no new registration. */
    private final int epoll;
    private final List<QueueWakeup> wakeups;
    /** Free own receive chunks, and how many of them the kernel holds. */
    private final int[] rxFree;
    private int rxFreeCount;
    private int hostInKernel;
    /** Free transmit chunks, as chunk numbers from {@code rxFrames} on. */
    private final int[] txFree;
    private int txFreeCount;
    /** Descriptors written to the tx ring and not yet published. */
    private int txStaged;
    /** The kernel has descriptors of ours it has not sent yet: send again at the next chance. */
    private boolean txBehind;
    private final long[] kernelStatistics = new long[XdpSocket.STATISTICS];
    private final long[] kernelReported = new long[XdpSocket.STATISTICS];
    private long nextStatistics;
    /** The burst being switched. */
    private FrameBurst pending;
    /** Guest receive buffers: the pool, the UMEM over their memory, and those in the fill ring by offset. */
    private GuestRxPool pool;
    private GuestUmem guestUmem;
    private final OffsetTable inKernel;
    /** The pool's ring generation the socket was opened for; -1: none yet. */
    private long boundGeneration = -1;
    /** A guest buffer too small to lend was met: this ring lends no more (until it changes). */
    private boolean unfit;
    private GuestRxLender lending;

    AfXdpPort(final String name, final Sockets sockets, final GuestRxLenders.Slot vmSlot, final String vswitch,
        final int frameSize, final int umemHeadroom, final int rxFrames, final int txFrames, final UplinkCounters counters,
        final ErrorLog errors)
    {
        super(name, counters, errors);
        this.sockets = sockets;
        this.vmSlot = vmSlot;
        this.vswitch = vswitch;
        this.frameSize = frameSize;
        this.frameOffset = umemHeadroom + XdpSocket.XDP_PACKET_HEADROOM;
        this.frameWindow = frameSize - frameOffset;
        this.rxFrames = rxFrames;
        this.txFrames = txFrames;
        this.rxBytes = (long)rxFrames * frameSize;
        this.rxFree = new int[rxFrames];
        this.txFree = new int[txFrames];
        // the kernel holds lent buffers in the fill ring and, received, in the rx ring: up to both rings' worth
        this.inKernel = new OffsetTable(2 * rxFrames);
        this.epoll = EpollFd.create();
        if (epoll < 0)
        {
            throw new IllegalStateException("epoll_create1 failed: " + Errno.describe(-epoll));
        }
        this.wakeups = List.of(new ReadableWakeup(epoll));
        try
        {
            use(sockets.open(null), false);
        }
        catch (final RuntimeException ex)
        {
            FileIo.close(epoll);
            throw ex;
        }
    }

    /**
     * Takes {@code opened} as the socket: its rings, every own chunk free, and unless it receives into
     * guest buffers ({@code overGuest}: own chunks only when those run short), own receive chunks stocked.
     */
    private void use(final XdpSocket opened, final boolean overGuest)
    {
        socket = opened;
        rx = opened.rx();
        fill = opened.fill();
        tx = opened.tx();
        completion = opened.completion();
        umem = opened.umem();
        umemBase = umem.address();
        EpollFd.ctl(epoll, EpollFd.EPOLL_CTL_ADD, opened.fd(), EpollFd.EPOLLIN);
        for (int i = 0; i < rxFrames; i++)
        {
            rxFree[i] = rxFrames - 1 - i;
        }
        rxFreeCount = rxFrames;
        hostInKernel = 0;
        for (int i = 0; i < txFrames; i++)
        {
            txFree[i] = rxFrames + txFrames - 1 - i;
        }
        txFreeCount = txFrames;
        txStaged = 0;
        txBehind = false;
        java.util.Arrays.fill(kernelReported, 0);
        inKernel.clear();
        if (!overGuest)
        {
            submitFill(stockHost(0, rxFrames));
        }
    }

    @Override
    public List<QueueWakeup> wakeups()
    {
        return wakeups;
    }

    /** Frames lie in guest receive buffers, which their guest can write while the switch decides. */
    @Override
    public boolean framesInGuestMemory()
    {
        return null != vmSlot;
    }

    @Override
    public int receive(final FrameBurst burst)
    {
        if (txBehind)
        {
            send();
        }
        final long now = System.nanoTime();
        if (now - nextStatistics >= 0)
        {
            nextStatistics = now + STATISTICS_NANOS;
            readKernelStatistics();
        }
        if (null != vmSlot)
        {
            lendGuestBuffers(burst);
        }
        final int n = rx.available(burst.capacity() - burst.count());
        receiveCall(n);
        int refill = 0;
        for (int i = 0; i < n; i++)
        {
            final long offset = XdpSocket.unalignedFrameOffset(rx.address(i));
            final int length = rx.length(i);
            if (offset < rxBytes)
            {
                final long chunk = offset / frameSize;
                if (length < 0 || offset + length > (chunk + 1) * frameSize)
                {
                    // not within one receive chunk: never touched, never refilled
                    counters.drop(UplinkCounters.Drop.READ_ERROR);
                    continue;
                }
                hostInKernel--;
                if (received(length))
                {
                    burst.add(umemBase + offset, length, (int)((chunk + 1) * frameSize - offset), GuestRxPool.NOT_LENT | chunk);
                }
                else
                {
                    fill.putAddress(refill++, chunk * frameSize);
                    hostInKernel++;
                }
                continue;
            }
            final int entry = null == guestUmem ? -1 : inKernel.remove(offset);
            if (entry < 0 || length < 0 || length > frameWindow)
            {
                // no guest buffer we lent (or longer than the kernel may write): never touched
                counters.drop(UplinkCounters.Drop.READ_ERROR);
                if (entry >= 0)
                {
                    pool.putBack(entry);
                }
                continue;
            }
            if (received(length))
            {
                burst.add(pool.frameAddress(entry), length, pool.frameRoom(entry), entry);
            }
            else
            {
                pool.putBack(entry);
            }
        }
        rx.release(n);
        if (refill > 0)
        {
            submitFill(refill);
        }
        pending = burst.count() > 0 ? burst : null;
        if (null == pending && null != lending)
        {
            endLend(burst);
        }
        return burst.count();
    }

    /**
     * Holds the VM port's receive ring for this cycle and moves its buffers into the fill ring;
     * reopens the socket first when the ring is another than the one the kernel's buffers came from.
     */
    private void lendGuestBuffers(final FrameBurst burst)
    {
        if (null == pool || pool.capacity() < 2 * rxFrames + burst.capacity())
        {
            // once: the switch's burst capacity is fixed while it runs
            pool = new GuestRxPool(2 * rxFrames + burst.capacity());
        }
        final GuestRxLender lender = vmSlot.lender();
        if (null == lender || !vswitch.equals(vmSlot.vswitch()))
        {
            if (null != guestUmem)
            {
                // the VM port went: no guest buffer may stay with the kernel
                reopen(null);
            }
            return;
        }
        final boolean guestMode = null != guestUmem && !unfit;
        // a new ring lends one buffer first, to see whether its buffers fit before holding more
        // and leaves RESERVE buffers in the guest's ring for frames the switch copies to the VM
        final int want = boundGeneration != pool.ringGeneration() ? 1
            : guestMode ? Math.max(0, Math.min(fill.free(rxFrames), pool.ringSize() - RESERVE - pool.held())) : 0;
        if (!lender.lend(pool, burst, want))
        {
            return;
        }
        lending = lender;
        if (boundGeneration != pool.ringGeneration())
        {
            reopen(pool.ringMemory());
        }
        if (null != guestUmem)
        {
            submitFill(stockGuest());
        }
    }

    /** Closes the socket and opens another over {@code memory} (null, or when that fails: own memory only). */
    private void reopen(final GuestMemory memory)
    {
        final XdpSocket old = socket;
        EpollFd.ctl(epoll, EpollFd.EPOLL_CTL_DEL, old.fd(), 0);
        old.close();
        if (null != guestUmem)
        {
            guestUmem.close();
            guestUmem = null;
        }
        boundGeneration = null == pool ? -1 : pool.ringGeneration();
        unfit = false;
        if (null != memory)
        {
            GuestUmem mapped = null;
            try
            {
                mapped = GuestUmem.map(memory, rxBytes + (long)txFrames * frameSize);
                use(sockets.open(mapped.segment()), true);
                guestUmem = mapped;
                return;
            }
            catch (final RuntimeException ex)
            {
                if (null != mapped)
                {
                    mapped.close();
                }
                errors.record("uplink", "guest-umem", name() + ": cannot receive into the VM's memory, receive copies: " +
                    ex.getMessage());
            }
        }
        use(sockets.open(null), false);
    }

    /** Ready guest buffers into the fill ring, as many as it has room for. @return entries written */
    private int stockGuest()
    {
        final int room = fill.free(rxFrames);
        int placed = 0;
        while (placed < room)
        {
            final int entry = pool.take();
            if (entry < 0)
            {
                break;
            }
            final long offset = guestUmem.offsetOf(pool.frameAddress(entry), frameWindow);
            if (offset < frameOffset || pool.frameRoom(entry) < frameWindow)
            {
                // the kernel could write past this buffer: it is kept out of the kernel's reach, and this ring lends no more
                counters.drop(UplinkCounters.Drop.GUEST_BUFFER_UNFIT);
                if (!unfit)
                {
                    unfit = true;
                    errors.record("uplink", "guest-buffer", name() + ": a receive buffer of " + pool.frameRoom(entry) +
                        " bytes is smaller than the " + frameWindow + " the kernel may write: receive copies for this ring");
                }
                continue;
            }
            inKernel.put(offset, entry);
            fill.putAddress(placed++, offset - frameOffset);
        }
        // own chunks only when the kernel holds no guest buffer (the guest ran dry): the kernel takes
        // fill entries in order, so any own chunk ahead of guest buffers would make a frame copy
        return inKernel.size() == 0 && hostInKernel < LOW_WATER ? stockHost(placed, LOW_WATER - hostInKernel) : placed;
    }

    /** Up to {@code count} free own receive chunks into the fill ring from entry {@code at} on. @return entries written in all */
    private int stockHost(final int at, final int count)
    {
        int placed = at;
        // entries written from 0 on and not yet submitted count against the ring's free room
        final int room = fill.free(rxFrames);
        for (int i = 0; i < count && rxFreeCount > 0 && placed < room; i++)
        {
            fill.putAddress(placed++, (long)rxFree[--rxFreeCount] * frameSize);
            hostInKernel++;
        }
        return placed;
    }

    @Override
    public void release(final FrameBurst burst)
    {
        pending = null;
        final int count = burst.count();
        int own = 0;
        for (int i = 0; i < count; i++)
        {
            final long token = burst.token(i);
            if ((token & GuestRxPool.NOT_LENT) != 0)
            {
                rxFree[rxFreeCount++] = (int)(token & HOST_CHUNK_MASK);
                own++;
            }
            else if (null == lending)
            {
                pool.putBack((int)token);
            }
        }
        counters.copyPending += own;
        if (null != lending)
        {
            final int inPlace = pool.published();
            counters.zeroCopyPending += inPlace;
            counters.elsewherePending += count - own - inPlace;
            endLend(burst);
        }
        else
        {
            counters.elsewherePending += count - own;
        }
        // every own chunk back to the fill ring in one update (guest mode: only what keeps it from running dry)
        submitFill(null == guestUmem ? stockHost(0, rxFrames) : stockGuest());
        counters.flush();
    }

    private void endLend(final FrameBurst burst)
    {
        final GuestRxLender lender = lending;
        lending = null;
        lender.endLend(pool, burst);
    }

    private void submitFill(final int count)
    {
        if (count == 0)
        {
            return;
        }
        fill.submit(count);
        if (fill.needsWakeup())
        {
            // a driver that stopped receiving for want of chunks waits for this call to go on
            final int rc = socket.wake();
            if (rc < 0 && rc != -Errno.EAGAIN)
            {
                readFailed("recvfrom", rc);
            }
        }
    }

    @Override
    public int transmit(final FrameBurst burst, final int index)
    {
        final int length = burst.length(index);
        if (length > frameSize)
        {
            counters.drop(UplinkCounters.Drop.FRAME_TOO_BIG);
            return TX_REFUSED;
        }
        if (txFreeCount == 0 && reclaim() == 0)
        {
            send();
            if (reclaim() == 0)
            {
                counters.drop(UplinkCounters.Drop.TX_RING_FULL);
                return TX_REFUSED;
            }
        }
        final long address = (long)txFree[--txFreeCount] * frameSize;
        burst.copyTo(index, 0, umem, address, length);
        // a free chunk is in no ring, so the tx ring (as long as there are chunks) has room for it
        tx.putDesc(txStaged++, address, length);
        counters.txFramesPending++;
        counters.txBytesPending += length;
        return TX_COPIED;
    }

    @Override
    public void flush()
    {
        if (txStaged > 0)
        {
            tx.submit(txStaged);
            txStaged = 0;
            send();
        }
        reclaim();
        counters.flush();
    }

    /** Makes the kernel send what the tx ring holds: one sendto per batch it takes, a few at most per call. */
    private void send()
    {
        txBehind = false;
        for (int kicks = 0; kicks < MAX_KICKS; kicks++)
        {
            if (tx.outstanding() == 0)
            {
                return;
            }
            if (!tx.needsWakeup())
            {
                // the driver works through the ring on its own
                return;
            }
            final int rc = socket.kick();
            if (rc < 0)
            {
                // EAGAIN, EBUSY, ENOBUFS: the device queue is full or busy; the frames wait in the ring
                if (rc != -Errno.EAGAIN && rc != -Errno.EBUSY && rc != -Errno.ENOBUFS)
                {
                    sendFailed("sendto", rc);
                    counters.drop(UplinkCounters.Drop.WRITE_ERROR);
                }
                break;
            }
        }
        txBehind = tx.outstanding() > 0;
    }

    /** Sent chunks from the completion ring back to the free list. @return chunks reclaimed */
    private int reclaim()
    {
        final int n = completion.available(txFrames - txFreeCount);
        for (int i = 0; i < n; i++)
        {
            final long chunk = completion.address(i) / frameSize;
            if (chunk >= rxFrames && chunk < rxFrames + txFrames)
            {
                txFree[txFreeCount++] = (int)chunk;
            }
        }
        completion.release(n);
        return n;
    }

    /** The kernel's drops since the last look, into this uplink's drop counters. */
    private void readKernelStatistics()
    {
        if (socket.statistics(kernelStatistics) != 0)
        {
            return;
        }
        addKernelDrops(0, UplinkCounters.Drop.KERNEL_RX_DROPPED);
        addKernelDrops(3, UplinkCounters.Drop.KERNEL_RX_RING_FULL);
        // read while idle as well: visible without waiting for a frame
        counters.flush();
    }

    private void addKernelDrops(final int statistic, final UplinkCounters.Drop reason)
    {
        counters.dropsPending[reason.ordinal()] += kernelStatistics[statistic] - kernelReported[statistic];
        kernelReported[statistic] = kernelStatistics[statistic];
    }

    /** Whether the driver receives into and sends from the UMEM itself. */
    boolean zeroCopy()
    {
        return socket.zeroCopy();
    }

    @Override
    public boolean contain(final Throwable fault)
    {
        final FrameBurst burst = pending;
        pending = null;
        final GuestRxLender lender = lending;
        if (null != lender)
        {
            // only this VM's memory is touched while its buffers are in the burst: its receive ring stops
            lending = null;
            pool.endBurst(burst);
            lender.abandonLend(fault);
        }
        if (null != burst)
        {
            for (int i = 0; i < burst.count(); i++)
            {
                final long token = burst.token(i);
                if ((token & GuestRxPool.NOT_LENT) != 0)
                {
                    rxFree[rxFreeCount++] = (int)(token & HOST_CHUNK_MASK);
                }
            }
        }
        return true;
    }

    /** Whether receive goes into the VM's buffers now (its memory is the UMEM and its buffers fit). */
    boolean receivingIntoGuest()
    {
        return null != guestUmem && !unfit;
    }

    @Override
    void close()
    {
        socket.close();
        if (null != guestUmem)
        {
            guestUmem.close();
            guestUmem = null;
        }
        FileIo.close(epoll);
        super.close();
    }
}
