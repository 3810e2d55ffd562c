package io.vplane.nic.port;

import io.vplane.virtio.virtq.DescriptorChain;
import io.vplane.virtio.virtq.SplitVirtQueue;
import io.vplane.nic.vswitch.FrameBurst;
import io.vplane.nic.vswitch.PortRole;
import io.vplane.nic.vswitch.SwitchPort;
import org.agrona.concurrent.status.AtomicCounter;

import io.vplane.engine.device.QueueWakeup;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A vhost-user port ({@code guestTx: switch}) as a port of the vSwitch.
 *
 * <p><b>Threads.</b> The switch runs on the worker of its own device queue; this port's virtqueues
 * do nothing in the engine's poll. The switch's worker drives the guest rings itself, taking each
 * with the same handshake the loopback uses ({@code enterForeign}/{@code exitForeign}, so a
 * vhost-user reconnect still waits until no worker is in the ring): frames need no hand-over
 * ring, are never copied to reach the switch, and the descriptors go back to the guest in
 * {@link #release} when the switch is done with them — transmit stays synchronous. The cost is
 * that every port of a switch is served by that one worker.
 *
 * <p><b>Guest to switch</b> ({@link #receive}): a burst of transmit chains from one pair (pairs in
 * turn). A frame that lies in one guest buffer after the 12-byte virtio-net header (header and
 * frame in one descriptor, or the header alone in the first) goes to the switch in place; anything
 * else is first copied into a port-owned buffer ({@code vplane_vhost_linearized_total}). As the
 * guest can still write a posted buffer, the switch copies a frame's first 256 bytes into its own
 * memory and decides on (anti-spoofing, ARP/NDP, VLAN), rewrites and forwards that copy
 * ({@code FrameBurst.isolate}); a guest-to-guest frame is still copied once, its start from the
 * switch's copy and the rest from the sender's buffer. Note virtio 1.2 §2.7.4 (a device must not write
 * device-readable buffers): the switch writes only for MAC translation towards an uplink and proxy
 * replies, never for VM-to-VM frames; where a guest maps transmit buffers read-only, such a frame
 * must be linearized first.
 *
 * <p><b>Switch to guest</b> ({@link #transmit}): copied into receive buffers of pair 0
 * ({@code TX_COPIED}, counted by the switch as a copy), published once per switch cycle in
 * {@link #flush}. No receive buffer: {@code TX_REFUSED}, and {@code no_rx_buffer} on the queue.
 * A frame an uplink received straight into this guest's buffers ({@link GuestRxLender}, {@link GuestRxPool})
 * is not copied: its used element is published where it lies ({@code TX_SENT}).
 */
final class VhostSwitchPort implements SwitchPort, GuestRxLender
{
    /** Linearization buffer per burst frame; a scattered frame longer than this is dropped as too big. */
    static final int BOUNCE_SLOT_BYTES = 9216;
    static final String LINEARIZED = "vplane_vhost_linearized_total";

    private final String name;
    private final RxQueue rx;
    private final SwitchedTxQueue[] tx;
    private final Arena arena;
    private final AtomicCounter linearized;
    private final GuestRxWriter writer = new GuestRxWriter();
    private final ChainFrame chainFrame = new ChainFrame();
    private final BurstFrame burstFrame = new BurstFrame();
    private final CountDownLatch detachedLatch = new CountDownLatch(1);
    /** The transmit rings' kicks: the switch's worker sleeps on them. */
    private final List<QueueWakeup> wakeups;
    private MemorySegment bounce;
    private int nextPair;

    // the transmit ring held between receive and release
    private SwitchedTxQueue heldTx;
    private SplitVirtQueue heldTxRing;
    private long heldTxBytes;

    // the receive ring held from the first transmit of a cycle to flush
    private SplitVirtQueue rxRing;
    private int rxPending;
    private int rxFrames;
    private long rxBytes;
    private int rxNoBuffer;
    private int rxTooBig;
    /** The uplink pool whose burst is being switched, between lend and endLend; else null. */
    private GuestRxPool lentPool;

    VhostSwitchPort(final String name, final RxQueue rx, final SwitchedTxQueue[] tx, final Arena arena,
        final AtomicCounter linearized)
    {
        this.name = name;
        this.rx = rx;
        this.tx = tx;
        this.arena = arena;
        this.linearized = linearized;
        final List<QueueWakeup> list = new ArrayList<>();
        for (final SwitchedTxQueue queue : tx)
        {
            list.add(queue.kickWakeup());
        }
        this.wakeups = List.copyOf(list);
    }

    @Override
    public List<QueueWakeup> wakeups()
    {
        return wakeups;
    }

    @Override
    public String name()
    {
        return name;
    }

    @Override
    public PortRole role()
    {
        return PortRole.VM;
    }

    /** Frames are taken in place from guest transmit buffers, which the guest can still write. */
    @Override
    public boolean framesInGuestMemory()
    {
        return true;
    }

    @Override
    public int receive(final FrameBurst burst)
    {
        if (null == bounce || bounce.byteSize() < (long)burst.capacity() * BOUNCE_SLOT_BYTES)
        {
            // once per port (and burst size): the switch's burst capacity is fixed
            bounce = arena.allocate((long)burst.capacity() * BOUNCE_SLOT_BYTES, 64);
        }
        for (int i = 0; i < tx.length; i++)
        {
            final SwitchedTxQueue queue = tx[(nextPair + i) % tx.length];
            final SplitVirtQueue ring = queue.enterForeign();
            if (null == ring)
            {
                queue.exitForeign();
                continue;
            }
            try
            {
                final int pending = ring.available();
                if (pending <= 0)
                {
                    if (pending < 0)
                    {
                        queue.ringBroken("avail", SplitVirtQueue.describeError(pending));
                    }
                    queue.exitForeign();
                    continue;
                }
                nextPair = (nextPair + i + 1) % tx.length;
                heldTx = queue;
                heldTxRing = ring;
                heldTxBytes = 0;
                final int added = take(queue, ring, pending, burst);
                if (added == 0)
                {
                    finishTx();
                }
                return added;
            }
            catch (final Throwable ex)
            {
                abandonTx(queue, burst, ex);
            }
        }
        return 0;
    }

    private int take(final SwitchedTxQueue queue, final SplitVirtQueue ring, final int pending, final FrameBurst burst)
    {
        final DescriptorChain chain = ring.chain();
        final QueueCounters counters = queue.counters;
        int taken = 0;
        int shortFrames = 0;
        int tooBig = 0;
        int copies = 0;
        while (taken < pending && !burst.isFull())
        {
            final int head = ring.takeHead();
            final int rc = ring.walk(head, chain);
            if (rc < 0)
            {
                queue.ringBroken("chain", SplitVirtQueue.describeError(rc) + " at head " + head);
                break;
            }
            taken++;
            final long length = chain.totalLength() - VirtioNet.HEADER_SIZE;
            final int first = chain.length(0);
            if (length <= 0)
            {
                shortFrames++;
                ring.addUsed(head, 0);
            }
            else if (first - VirtioNet.HEADER_SIZE >= length)
            {
                burst.add(chain.segment(0), chain.offset(0) + VirtioNet.HEADER_SIZE, (int)length, (int)length, head);
                heldTxBytes += length;
            }
            else if (first == VirtioNet.HEADER_SIZE && chain.count() > 1 && chain.length(1) >= length)
            {
                burst.add(chain.segment(1), chain.offset(1), (int)length, (int)length, head);
                heldTxBytes += length;
            }
            else if (length <= BOUNCE_SLOT_BYTES)
            {
                final long slot = (long)burst.count() * BOUNCE_SLOT_BYTES;
                chainFrame.wrap(chain).copyTo(0, bounce, slot, (int)length);
                burst.add(bounce, slot, (int)length, (int)length, head);
                heldTxBytes += length;
                copies++;
            }
            else
            {
                tooBig++;
                ring.addUsed(head, 0);
            }
        }
        if (shortFrames > 0)
        {
            counters.shortDrops.getAndAddRelease(shortFrames);
        }
        if (tooBig > 0)
        {
            counters.tooBigDrops.getAndAddRelease(tooBig);
        }
        if (copies > 0)
        {
            linearized.getAndAddRelease(copies);
        }
        return burst.count();
    }

    @Override
    public void release(final FrameBurst burst)
    {
        final SplitVirtQueue ring = heldTxRing;
        if (null == ring)
        {
            return;
        }
        try
        {
            final int count = burst.count();
            for (int i = 0; i < count; i++)
            {
                ring.addUsed((int)burst.token(i), 0);
            }
            heldTx.counters.frames.getAndAddRelease(count);
            heldTx.counters.bytes.getAndAddRelease(heldTxBytes);
            finishTx();
        }
        catch (final Throwable ex)
        {
            abandonTx(heldTx, burst, ex);
        }
    }

    @Override
    public boolean contain(final Throwable fault)
    {
        if (null != heldTx)
        {
            abandonTx(heldTx, null, fault);
        }
        return true;
    }

    /** Whether every page of [address, address + length) can still be read (after a fault: whose memory was it?). */
    private static boolean readable(final long address, final int length)
    {
        try
        {
            final MemorySegment frame = MemorySegment.ofAddress(address).reinterpret(length);
            for (long at = 0; at < length; at += 4096)
            {
                frame.get(java.lang.foreign.ValueLayout.JAVA_BYTE, at);
            }
            frame.get(java.lang.foreign.ValueLayout.JAVA_BYTE, length - 1L);
            return true;
        }
        catch (final Throwable ex)
        {
            return false;
        }
    }

    /**
     * A fault on a transmit ring (its memory shrank under the mapping: SIGBUS as InternalError, or a
     * call fd that fails): that ring stops, its frames are dropped, the switch and its other ports go on.
     */
    private void abandonTx(final SwitchedTxQueue queue, final FrameBurst burst, final Throwable fault)
    {
        if (null != burst)
        {
            burst.clear();
        }
        queue.ringBroken("access", fault.toString());
        queue.exitForeign();
        heldTx = null;
        heldTxRing = null;
    }

    /** The same for the receive ring held across a switch cycle. */
    private void abandonRx(final Throwable fault)
    {
        rx.ringBroken("access", fault.toString());
        releaseRx();
    }

    /** Gives back every used element taken so far and lets go of the transmit ring. */
    private void finishTx()
    {
        final SplitVirtQueue ring = heldTxRing;
        ring.publishUsed();
        if (ring.notifyIfWanted())
        {
            heldTx.counters.calls.incrementRelease();
        }
        heldTx.exitForeign();
        heldTx = null;
        heldTxRing = null;
    }

    @Override
    public boolean lend(final GuestRxPool pool, final FrameBurst burst, final int want)
    {
        if (null == rxRing && !holdRx())
        {
            return false;
        }
        final SplitVirtQueue ring = rxRing;
        try
        {
            pool.bind(ring);
            final int taken = pool.topUp(ring, want, rxPending);
            if (taken < 0)
            {
                rx.ringBroken("chain", GuestRxWriter.describeError(taken));
                flush();
                return false;
            }
            rxPending -= taken;
        }
        catch (final Throwable ex)
        {
            abandonRx(ex);
            return false;
        }
        pool.lendInto(burst);
        lentPool = pool;
        return true;
    }

    @Override
    public void endLend(final GuestRxPool pool, final FrameBurst burst)
    {
        pool.endBurst(burst);
        lentPool = null;
        if (rxFrames == 0)
        {
            // nothing published, so the switch will not flush this port: let go of the ring now
            flush();
        }
    }

    @Override
    public void abandonLend(final Throwable fault)
    {
        lentPool = null;
        if (null != rxRing)
        {
            abandonRx(fault);
        }
    }

    @Override
    public int transmit(final FrameBurst burst, final int index)
    {
        if (null == rxRing && !holdRx())
        {
            return TX_REFUSED;
        }
        final SplitVirtQueue ring = rxRing;
        final int length = burst.length(index);
        if (null != lentPool && lentPool.holds(burst, index))
        {
            try
            {
                // the frame was received into this guest's own buffer: publish it where it lies
                lentPool.publish(ring, burst, index);
            }
            catch (final Throwable ex)
            {
                abandonRx(ex);
                return TX_REFUSED;
            }
            rxFrames++;
            rxBytes += length;
            return TX_SENT;
        }
        final int rc;
        try
        {
            rc = writer.deliver(ring, ring.chain(), burstFrame.wrap(burst, index), rxPending, rx.mergeable);
        }
        catch (final Throwable ex)
        {
            if (!readable(burst.address(index), length))
            {
                // the source guest's memory faulted, not this one's: the ingress port pays (contain)
                if (rxFrames == 0)
                {
                    flush();
                }
                throw ex;
            }
            abandonRx(ex);
            return TX_REFUSED;
        }
        if (rc == GuestRxWriter.DELIVERED)
        {
            rxPending -= writer.headsTaken();
            rxFrames++;
            rxBytes += length;
            return TX_COPIED;
        }
        if (rc == GuestRxWriter.NO_BUFFERS)
        {
            rxNoBuffer++;
        }
        else if (rc == GuestRxWriter.ERR_FRAME_TOO_BIG || rc == GuestRxWriter.ERR_TOO_MANY_BUFFERS)
        {
            rxTooBig++;
        }
        else
        {
            rx.ringBroken("chain", GuestRxWriter.describeError(rc));
            rxNoBuffer++;
            flush();
            return TX_REFUSED;
        }
        if (rxFrames == 0)
        {
            // nothing delivered this cycle, so the switch will not flush this port: let go now
            flush();
        }
        return TX_REFUSED;
    }

    private boolean holdRx()
    {
        final SplitVirtQueue ring = rx.enterForeign();
        if (null == ring || rx.quiesced)
        {
            rx.exitForeign();
            return false;
        }
        final int pending;
        try
        {
            pending = ring.available();
        }
        catch (final Throwable ex)
        {
            // this guest's memory faulted, not the sender's: its receive ring stops
            rx.ringBroken("access", ex.toString());
            rx.exitForeign();
            return false;
        }
        if (pending < 0)
        {
            rx.ringBroken("avail", SplitVirtQueue.describeError(pending));
            rx.exitForeign();
            return false;
        }
        rxRing = ring;
        rxPending = pending;
        return true;
    }

    private void finishRx()
    {
        rx.delivered(rxRing, rxFrames, rxBytes, rxNoBuffer, rxTooBig);
        releaseRx();
    }

    /** Leaves the receive ring held across the cycle and zeroes what the cycle counted on it. */
    private void releaseRx()
    {
        rx.exitForeign();
        rxRing = null;
        rxFrames = 0;
        rxBytes = 0;
        rxNoBuffer = 0;
        rxTooBig = 0;
    }

    @Override
    public void flush()
    {
        if (null != rxRing)
        {
            try
            {
                finishRx();
            }
            catch (final Throwable ex)
            {
                abandonRx(ex);
            }
        }
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
}
