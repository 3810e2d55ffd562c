package io.vplane.nic.uplink;

import io.vplane.engine.device.QueueWakeup;
import io.vplane.engine.errors.ErrorLog;
import io.vplane.engine.linux.Errno;
import io.vplane.engine.linux.XdpRing;
import io.vplane.engine.linux.XdpSocket;
import io.vplane.nic.vswitch.FrameBurst;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An AF_XDP socket as an uplink port of the vSwitch; all of it runs on the switch's thread and makes
 * no allocation after it is built.
 *
 * <p>The UMEM is split in two: the first {@code rxFrames} chunks receive, the rest transmit.
 * <b>Receive</b>: every receive chunk not in use is in the fill ring (it starts full and stays full:
 * a chunk goes back as soon as the switch is done with the burst it came in, all of the burst in one
 * ring update), the XDP program redirects the interface queue's frames into this socket, and a burst
 * is whatever the rx ring holds, read from the ring without a system call. The frames stay in the
 * UMEM while the switch works on them; it copies each into the guest it is for. <b>Transmit</b>: a
 * frame is copied into a free transmit chunk and its descriptor written to the tx ring; at the end of
 * the switch's cycle ({@link #flush}) the ring's new entries are published and, when the kernel asks
 * for it (need-wakeup; always in copy mode), one {@code sendto} per batch the kernel takes makes it
 * send them. Sent chunks come back through the completion ring, drained in batches.
 *
 * <p>Frame addresses read from the rings are checked against the UMEM before use: a descriptor that
 * points outside the receive chunks is counted ({@code read_error}) and dropped.
 */
final class AfXdpPort extends UplinkPort
{
    /** How often the kernel's own counters of the socket are read (a getsockopt). */
    private static final long STATISTICS_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** Sends per flush at most: the kernel takes a batch (32 frames by default) per sendto in copy mode. */
    private static final int MAX_KICKS = 8;

    private final XdpSocket socket;
    private final XdpRing rx;
    private final XdpRing fill;
    private final XdpRing tx;
    private final XdpRing completion;
    private final MemorySegment umem;
    private final long umemBase;
    private final int frameSize;
    private final int rxFrames;
    private final int txFrames;
    /** Free transmit chunks, as chunk numbers from {@code rxFrames} on. */
    private final int[] txFree;
    private int txFreeCount;
    /** Descriptors written to the tx ring and not yet published. */
    private int txStaged;
    /** The kernel has descriptors of ours it has not sent yet: send again at the next chance. */
    private boolean txBehind;
    private final List<QueueWakeup> wakeups;
    private final long[] kernelStatistics = new long[XdpSocket.STATISTICS];
    private final long[] kernelReported = new long[XdpSocket.STATISTICS];
    private long nextStatistics;
    /** The burst being switched, whose chunks go back to the fill ring when it is released. */
    private FrameBurst pending;

    AfXdpPort(final String name, final XdpSocket socket, final int frameSize, final int rxFrames, final int txFrames,
        final UplinkCounters counters, final ErrorLog errors)
    {
        super(name, counters, errors);
        this.socket = socket;
        this.rx = socket.rx();
        this.fill = socket.fill();
        this.tx = socket.tx();
        this.completion = socket.completion();
        this.umem = socket.umem();
        this.umemBase = umem.address();
        this.frameSize = frameSize;
        this.rxFrames = rxFrames;
        this.txFrames = txFrames;
        this.txFree = new int[txFrames];
        for (int i = 0; i < txFrames; i++)
        {
            txFree[i] = rxFrames + txFrames - 1 - i;
        }
        this.txFreeCount = txFrames;
        this.wakeups = List.of(new ReadableWakeup(socket.fd()));
        // every receive chunk starts in the fill ring
        final int stocked = fill.free(rxFrames);
        for (int i = 0; i < stocked; i++)
        {
            fill.putAddress(i, (long)i * frameSize);
        }
        fill.submit(stocked);
    }

    @Override
    public List<QueueWakeup> wakeups()
    {
        return wakeups;
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
        final int n = rx.available(burst.capacity() - burst.count());
        receiveCall(n);
        int refill = 0;
        for (int i = 0; i < n; i++)
        {
            final long address = rx.address(i);
            final int length = rx.length(i);
            final long chunk = address / frameSize;
            if (address < 0 || chunk >= rxFrames || length < 0 || address + length > (chunk + 1) * frameSize)
            {
                // not a receive chunk of ours, or not within one: never touched, never refilled
                counters.drop(UplinkCounters.Drop.READ_ERROR);
                continue;
            }
            if (received(length))
            {
                burst.add(umemBase + address, length, (int)((chunk + 1) * frameSize - address), chunk);
            }
            else
            {
                fill.putAddress(refill++, chunk * frameSize);
            }
        }
        rx.release(n);
        if (refill > 0)
        {
            submitFill(refill);
        }
        pending = burst.count() > 0 ? burst : null;
        return burst.count();
    }

    @Override
    public void release(final FrameBurst burst)
    {
        refill(burst);
        counters.copyPending += burst.count();
        counters.flush();
    }

    /** Every chunk of {@code burst} back to the fill ring, in one update. */
    private void refill(final FrameBurst burst)
    {
        pending = null;
        final int count = burst.count();
        // the fill ring has room for every receive chunk, so for all that are out of it
        for (int i = 0; i < count; i++)
        {
            fill.putAddress(i, burst.token(i) * frameSize);
        }
        submitFill(count);
    }

    private void submitFill(final int count)
    {
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
        // the frames lie in the UMEM, which cannot fault; give the burst's chunks back
        final FrameBurst burst = pending;
        if (null != burst)
        {
            refill(burst);
        }
        return true;
    }

    @Override
    void close()
    {
        socket.close();
        super.close();
    }
}
