package io.vplane.nic.uplink;

import io.vplane.engine.errors.ErrorLog;
import io.vplane.engine.linux.Errno;
import io.vplane.engine.linux.Iovec;
import io.vplane.engine.linux.MsgHdr;
import io.vplane.engine.linux.UdpSockets;
import io.vplane.nic.port.GuestRxLenders;
import io.vplane.nic.port.GuestRxPool;
import io.vplane.nic.vswitch.FrameBurst;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * One VNI of a VXLAN uplink (RFC 7348) as a port of the vSwitch, serving one VM port; runs on the
 * switch's thread. Its UDP socket is one of the uplink's SO_REUSEPORT group, and the group's
 * classic BPF program steers every datagram carrying this VNI to it, so all it receives is for
 * its VM: one {@code recvmmsg} per burst scatters each 8-byte VXLAN header into the port's own
 * memory and the inner frame straight into a guest receive buffer lent by the VM port.
 *
 * <pre>
 * VXLAN header (RFC 7348 §5):  0 u8 flags (0x08: VNI valid)  1 u24 reserved  4 u24 VNI  7 u8 reserved
 * </pre>
 *
 * Remote VTEPs: the configured ones, and those learned from traffic: the outer source address of
 * a frame is remembered for its inner source MAC (a small direct-mapped table, like the kernel's
 * FDB). A frame to a learned MAC goes to that VTEP; anything else to every known VTEP.
 */
final class VxlanPort extends LendingUplinkPort
{
    static final int VXLAN_HEADER = 8;
    static final int FLAG_VNI = 0x08;
    private static final int FDB_SLOTS = 256;
    private static final int MAX_FLOOD_REMOTES = 16;
    private static final ValueLayout.OfLong MAC_WORD = ValueLayout.JAVA_LONG_UNALIGNED;
    private static final MemorySegment ADDRESS_SPACE = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);

    private final int fd;
    private final int vni;
    private final int udpPort;
    private final long[] fdbMacs = new long[FDB_SLOTS];
    private final int[] fdbRemotes = new int[FDB_SLOTS];
    private final int[] floodRemotes = new int[MAX_FLOOD_REMOTES];
    private int floodCount;
    private final MemorySegment tx;
    private MemorySegment rx;
    private int[] entries;
    private int capacity;

    // native layout of the transmit side: msghdr, sockaddr, VXLAN header, 3 iovecs
    private static final long TX_MSG = 0;
    private static final long TX_NAME = 64;
    private static final long TX_HEADER = 80;
    private static final long TX_IOVECS = 96;
    private static final long TX_BYTES = TX_IOVECS + 3L * Iovec.SIZE;

    VxlanPort(final String name, final int fd, final int vni, final int udpPort, final int[] remotes,
        final GuestRxLenders.Slot vmSlot, final String vswitch, final boolean zeroCopy, final UplinkCounters counters,
        final ErrorLog errors)
    {
        super(name, vmSlot, vswitch, zeroCopy, counters, errors);
        this.fd = fd;
        this.vni = vni;
        this.udpPort = udpPort;
        for (final int remote : remotes)
        {
            addFloodRemote(remote);
        }
        this.tx = arena.allocate(TX_BYTES, 8);
        tx.set(ValueLayout.JAVA_LONG, TX_MSG + MsgHdr.NAME_OFFSET, tx.address() + TX_NAME);
        tx.set(ValueLayout.JAVA_INT, TX_MSG + MsgHdr.NAMELEN_OFFSET, UdpSockets.SOCKADDR_IN_SIZE);
        tx.set(ValueLayout.JAVA_LONG, TX_MSG + MsgHdr.IOV_OFFSET, tx.address() + TX_IOVECS);
        tx.set(ValueLayout.JAVA_BYTE, TX_HEADER, (byte)FLAG_VNI);
        tx.set(ValueLayout.JAVA_INT, TX_HEADER + 4, Integer.reverseBytes(vni << 8));
        tx.set(ValueLayout.JAVA_LONG, TX_IOVECS + Iovec.BASE_OFFSET, tx.address() + TX_HEADER);
        tx.set(ValueLayout.JAVA_LONG, TX_IOVECS + Iovec.LENGTH_OFFSET, VXLAN_HEADER);
    }


    /*
     * Receive side, per message j: mmsghdr at j * 64, then sockaddr_in, VXLAN header and two iovecs.
     */
    private static final long RX_NAMES = 0;
    private static final long RX_HEADERS = 1;
    private static final long RX_IOVECS = 2;

    private long rxOffset(final long part, final int j)
    {
        final long base = (long)capacity * UdpSockets.MMSGHDR_SIZE;
        if (part == RX_NAMES)
        {
            return base + (long)j * UdpSockets.SOCKADDR_IN_SIZE;
        }
        if (part == RX_HEADERS)
        {
            return base + (long)capacity * UdpSockets.SOCKADDR_IN_SIZE + (long)j * VXLAN_HEADER;
        }
        return base + (long)capacity * (UdpSockets.SOCKADDR_IN_SIZE + VXLAN_HEADER) + (long)j * 2 * Iovec.SIZE;
    }

    @Override
    protected void allocated(final int capacity)
    {
        this.capacity = capacity;
        this.entries = new int[capacity];
        this.rx = arena.allocate((long)capacity * (UdpSockets.MMSGHDR_SIZE + UdpSockets.SOCKADDR_IN_SIZE + VXLAN_HEADER +
            2L * Iovec.SIZE), 8);
        for (int j = 0; j < capacity; j++)
        {
            final long msg = (long)j * UdpSockets.MMSGHDR_SIZE;
            rx.set(ValueLayout.JAVA_LONG, msg + MsgHdr.NAME_OFFSET, rx.address() + rxOffset(RX_NAMES, j));
            rx.set(ValueLayout.JAVA_LONG, msg + MsgHdr.IOV_OFFSET, rx.address() + rxOffset(RX_IOVECS, j));
            rx.set(ValueLayout.JAVA_LONG, msg + MsgHdr.IOVLEN_OFFSET, 2L);
            final long iov = rxOffset(RX_IOVECS, j);
            rx.set(ValueLayout.JAVA_LONG, iov + Iovec.BASE_OFFSET, rx.address() + rxOffset(RX_HEADERS, j));
            rx.set(ValueLayout.JAVA_LONG, iov + Iovec.LENGTH_OFFSET, VXLAN_HEADER);
        }
    }

    private void prepare(final int j, final long frameAddress, final long frameRoom)
    {
        final long msg = (long)j * UdpSockets.MMSGHDR_SIZE;
        rx.set(ValueLayout.JAVA_INT, msg + MsgHdr.NAMELEN_OFFSET, UdpSockets.SOCKADDR_IN_SIZE);
        rx.set(ValueLayout.JAVA_INT, msg + MsgHdr.FLAGS_OFFSET, 0);
        final long iov = rxOffset(RX_IOVECS, j) + Iovec.SIZE;
        rx.set(ValueLayout.JAVA_LONG, iov + Iovec.BASE_OFFSET, frameAddress);
        rx.set(ValueLayout.JAVA_LONG, iov + Iovec.LENGTH_OFFSET, frameRoom);
    }

    /**
     * Checks message {@code j} of a recvmmsg and learns its sender.
     *
     * @return the inner frame's length, or -1 when it is dropped (counted)
     */
    private long accept(final int j, final long frameAddress)
    {
        final long msg = (long)j * UdpSockets.MMSGHDR_SIZE;
        final long length = Integer.toUnsignedLong(rx.get(ValueLayout.JAVA_INT, msg + UdpSockets.MMSGHDR_LEN_OFFSET));
        if ((rx.get(ValueLayout.JAVA_INT, msg + MsgHdr.FLAGS_OFFSET) & UdpSockets.MSG_TRUNC) != 0)
        {
            counters.drop(UplinkCounters.Drop.FRAME_TOO_BIG);
            return -1;
        }
        final long header = rxOffset(RX_HEADERS, j);
        if (length < VXLAN_HEADER || (rx.get(ValueLayout.JAVA_BYTE, header) & FLAG_VNI) == 0)
        {
            counters.drop(UplinkCounters.Drop.BAD_VXLAN_HEADER);
            return -1;
        }
        if (Integer.reverseBytes(rx.get(ValueLayout.JAVA_INT, header + 4)) >>> 8 != vni)
        {
            // not for this VNI: only a datagram the BPF program could not steer lands here
            counters.drop(UplinkCounters.Drop.WRONG_VNI);
            return -1;
        }
        final long frame = length - VXLAN_HEADER;
        if (frame >= MIN_FRAME)
        {
            learn(ADDRESS_SPACE.get(MAC_WORD, frameAddress + 6) & 0xFFFF_FFFF_FFFFL,
                UdpSockets.sockaddrAddress(rx, rxOffset(RX_NAMES, j)));
        }
        return frame;
    }

    @Override
    protected int readIntoGuest(final FrameBurst burst, final GuestRxPool pool)
    {
        final int first = burst.count();
        int asked = 0;
        while (first + asked < capacity)
        {
            final int entry = pool.take();
            if (entry < 0)
            {
                break;
            }
            entries[asked] = entry;
            prepare(asked, pool.frameAddress(entry), pool.frameRoom(entry));
            asked++;
        }
        if (asked == 0)
        {
            return burst.count();
        }
        final int got = UdpSockets.recvmmsg(fd, rx.address(), asked);
        receiveCall(got);
        if (got < 0 && got != -Errno.EAGAIN)
        {
            readFailed("recvmmsg", got);
        }
        for (int j = 0; j < asked; j++)
        {
            final int entry = entries[j];
            final long frame = j < got ? accept(j, pool.frameAddress(entry)) : -1;
            if (frame >= 0 && received(frame))
            {
                burst.add(pool.frameAddress(entry), (int)frame, pool.frameRoom(entry), entry);
            }
            else
            {
                pool.putBack(entry);
            }
        }
        return burst.count();
    }

    @Override
    protected int readIntoHost(final FrameBurst burst)
    {
        final int asked = capacity - burst.count();
        for (int j = 0; j < asked; j++)
        {
            prepare(j, hostSlot(j), HOST_SLOT_BYTES);
        }
        final int got = UdpSockets.recvmmsg(fd, rx.address(), asked);
        receiveCall(got);
        if (got < 0 && got != -Errno.EAGAIN)
        {
            readFailed("recvmmsg", got);
        }
        for (int j = 0; j < got; j++)
        {
            final long frame = accept(j, hostSlot(j));
            if (frame >= 0 && received(frame))
            {
                burst.add(hostSlot(j), (int)frame, (int)frame, GuestRxPool.NOT_LENT | j);
            }
        }
        return burst.count();
    }

    private void learn(final long mac, final int remote)
    {
        final int slot = slotOf(mac);
        if (fdbMacs[slot] != mac || fdbRemotes[slot] != remote)
        {
            fdbMacs[slot] = mac;
            fdbRemotes[slot] = remote;
            addFloodRemote(remote);
        }
    }

    private void addFloodRemote(final int remote)
    {
        for (int i = 0; i < floodCount; i++)
        {
            if (floodRemotes[i] == remote)
            {
                return;
            }
        }
        if (floodCount < MAX_FLOOD_REMOTES)
        {
            floodRemotes[floodCount++] = remote;
        }
    }

    private static int slotOf(final long mac)
    {
        return (int)((mac * 0x9E3779B97F4A7C15L) >>> 56) & (FDB_SLOTS - 1);
    }

    @Override
    public int transmit(final FrameBurst burst, final int index)
    {
        // iovec 0 is the VXLAN header, then the frame as the switch forwards it
        final int iovecs = FrameIovecs.write(tx, TX_IOVECS, 1, burst, index);
        tx.set(ValueLayout.JAVA_LONG, TX_MSG + MsgHdr.IOVLEN_OFFSET, iovecs);
        final long dstMac = readDestinationMac(burst, index);
        final int slot = slotOf(dstMac);
        boolean sent = false;
        if (fdbMacs[slot] == dstMac && dstMac != 0)
        {
            sent = sendTo(fdbRemotes[slot]);
        }
        else
        {
            for (int i = 0; i < floodCount; i++)
            {
                sent |= sendTo(floodRemotes[i]);
            }
        }
        if (!sent)
        {
            counters.drop(UplinkCounters.Drop.WRITE_ERROR);
            return TX_REFUSED;
        }
        counters.txFramesPending++;
        counters.txBytesPending += burst.length(index);
        return TX_SENT;
    }

    private boolean sendTo(final int remote)
    {
        UdpSockets.writeSockaddr(tx, TX_NAME, remote, udpPort);
        final long rc = UdpSockets.sendmsg(fd, tx.address() + TX_MSG);
        if (rc < 0)
        {
            sendFailed("sendmsg", rc);
        }
        return rc >= 0;
    }

    /** The destination MAC as the switch forwards it (from its isolated copy when there is one). */
    private static long readDestinationMac(final FrameBurst burst, final int index)
    {
        final long address = burst.isolatedLength(index) >= 6 ? burst.isolatedAddress(index) : burst.address(index);
        return ADDRESS_SPACE.get(MAC_WORD, address) & 0xFFFF_FFFF_FFFFL;
    }
}
