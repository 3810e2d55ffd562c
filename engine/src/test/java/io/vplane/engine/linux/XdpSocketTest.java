package io.vplane.engine.linux;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * AF_XDP on a veth pair, both ends in this namespace: on each end the XSK redirect program (generic
 * XDP, as a BPF link) and a socket in copy mode on queue 0. Frames sent through one socket's tx ring
 * must arrive, exactly as many and byte for byte, in the other's rx ring, both ways. Needs root
 * (CAP_NET_ADMIN for the veth, CAP_BPF and CAP_NET_RAW); skips saying why otherwise.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class XdpSocketTest
{
    private static final int FRAMES = 64;
    private static final int FRAME_SIZE = 2048;
    private static final int RING = 32;
    private static final int SENT = 20;
    /** An EtherType for local experiments (IEEE 802): nothing else on the link carries it. */
    private static final short ETHER_TYPE = (short)0x88b5;

    private final String a = "vxs" + ProcessHandle.current().pid() % 100_000 + "a";
    private final String b = a.substring(0, a.length() - 1) + "b";
    private final List<AutoCloseable> open = new ArrayList<>();

    @BeforeAll
    static void needsRootAndAfXdp()
    {
        assumeTrue("root".equals(System.getProperty("user.name")), "AF_XDP test skipped: needs root (veth, BPF, AF_XDP)");
        assumeTrue(XdpSocket.capability().isAvailable(), "AF_XDP test skipped: " + XdpSocket.capability().missingReason());
    }

    @AfterEach
    void cleanUp() throws Exception
    {
        for (int i = open.size() - 1; i >= 0; i--)
        {
            open.get(i).close();
        }
        run("ip", "link", "del", a);
    }

    @Test
    void shouldCarryFramesBothWaysBetweenTwoSocketsOnAVethPair() throws Exception
    {
        vethPair("1500");
        final XdpSocket sa = socketOn(a);
        final XdpSocket sb = socketOn(b);

        send(sa, SENT, 1);
        assertThat(receive(sb, SENT, 1)).isEqualTo(SENT);
        send(sb, SENT, 2);
        assertThat(receive(sa, SENT, 2)).isEqualTo(SENT);
        assertThat(sa.zeroCopy()).isFalse();
    }

    /**
     * Buffer-address substitution's kernel side: the receiving socket's UMEM is an anonymous part
     * followed by a second mapping (mremap alias) of a shared memfd, as guest memory is; fill
     * addresses are odd offsets into the memfd part (unaligned-chunk mode). Each frame must land 256
     * bytes behind its fill address, seen through the memfd's own mapping, and nowhere else.
     */
    @Test
    void shouldReceiveIntoSharedMemoryAtUnalignedFillAddresses() throws Exception
    {
        vethPair("1500");
        final long guestBytes = 64 * 1024;
        final long hostBytes = 16 * 1024;
        final MemorySegment guest = sharedMemory(guestBytes);
        final XdpSocket sb = socketOverGuest(guest, hostBytes, 0);
        final long[] frameAt = new long[SENT];
        for (int i = 0; i < SENT; i++)
        {
            // a 12-byte header before each frame, buffers 2100 bytes apart: no frame on a chunk boundary
            frameAt[i] = 700 + 12 + i * 2100L;
            sb.fill().putAddress(i, hostBytes + frameAt[i] - XdpSocket.XDP_PACKET_HEADROOM);
        }
        sb.fill().submit(SENT);
        final XdpSocket sa = socketOn(a);

        send(sa, SENT, 3);
        final XdpRing rx = sb.rx();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        int got = 0;
        while (got < SENT && System.nanoTime() < deadline)
        {
            final int n = rx.available(SENT - got);
            for (int i = 0; i < n; i++)
            {
                assertThat(rx.length(i)).isEqualTo(60);
                final long at = XdpSocket.unalignedFrameOffset(rx.address(i)) - hostBytes;
                assertThat(at).isEqualTo(frameAt[got]);
                assertThat(guest.get(JAVA_SHORT_UNALIGNED, at + 12)).isEqualTo(Short.reverseBytes(ETHER_TYPE));
                assertThat(guest.get(JAVA_INT_UNALIGNED, at + 14)).isEqualTo(3);
                assertThat(guest.get(JAVA_INT_UNALIGNED, at + 18)).isEqualTo(got);
                // the header before the frame is untouched: the kernel writes the frame only
                assertThat(guest.get(JAVA_INT_UNALIGNED, at - 12)).isEqualTo(0x5a5a5a5a);
                assertThat(guest.get(JAVA_BYTE, at + 60)).isEqualTo((byte)0x5a);
                got++;
            }
            rx.release(n);
        }
        assertThat(got).isEqualTo(SENT);
    }

    /**
     * A Linux guest's receive buffers: 1536 bytes each (virtio-net without mergeable sizing), packed
     * back to back, the 12-byte header vplane writes in place at each start. A UMEM headroom of
     * 2048 - 256 - 1518 leaves the kernel 1518 bytes per frame (1500 MTU, Ethernet header, one VLAN
     * tag): the fill address is the frame start - headroom - 256, so it lies in the buffer before
     * (the first one's in the anonymous part). Frames up to the room land whole behind each header;
     * the kernel drops a longer one (rx_dropped) without writing; every byte around stays.
     */
    @Test
    void shouldFitFramesUpToTheMtuIntoLinuxSizedBuffersWithUmemHeadroom() throws Exception
    {
        // a larger MTU, so that the veth lets the too-long frame through to the kernel's own bound
        vethPair("1600");
        final int buffer = 1536;
        final int header = 12;
        final int room = 1518;
        final int headroom = FRAME_SIZE - XdpSocket.XDP_PACKET_HEADROOM - room;
        final int[] lengths = {60, 1514, 1518, 1519, 1000, 1518, 1600, 61};
        final long guestBytes = 16 * 1024;
        final long hostBytes = 16 * 1024;
        final MemorySegment guest = sharedMemory(guestBytes);
        final XdpSocket sb = socketOverGuest(guest, hostBytes, headroom);
        // one buffer per frame that fits; buffer i starts at i * 1536 in the guest
        int fits = 0;
        for (final int length : lengths)
        {
            fits += length <= room ? 1 : 0;
        }
        for (int i = 0; i < fits; i++)
        {
            sb.fill().putAddress(i, hostBytes + (long)i * buffer + header - headroom - XdpSocket.XDP_PACKET_HEADROOM);
        }
        sb.fill().submit(fits);
        final XdpSocket sa = socketOn(a);

        send(sa, lengths, 4);
        final XdpRing rx = sb.rx();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        int got = 0;
        int sent = 0;
        while (got < fits && System.nanoTime() < deadline)
        {
            final int n = rx.available(fits - got);
            for (int i = 0; i < n; i++)
            {
                while (lengths[sent] > room)
                {
                    sent++;
                }
                final long at = XdpSocket.unalignedFrameOffset(rx.address(i)) - hostBytes;
                assertThat(at).isEqualTo((long)got * buffer + header);
                assertThat(rx.length(i)).isEqualTo(lengths[sent]);
                assertThat(guest.get(JAVA_SHORT_UNALIGNED, at + 12)).isEqualTo(Short.reverseBytes(ETHER_TYPE));
                assertThat(guest.get(JAVA_INT_UNALIGNED, at + 14)).isEqualTo(4);
                assertThat(guest.get(JAVA_INT_UNALIGNED, at + 18)).isEqualTo(sent);
                if (lengths[sent] > 60)
                {
                    assertThat(guest.get(JAVA_BYTE, at + lengths[sent] - 1)).isEqualTo((byte)sent);
                }
                got++;
                sent++;
            }
            rx.release(n);
        }
        assertThat(got).isEqualTo(fits);
        final long[] statistics = new long[XdpSocket.STATISTICS];
        sb.statistics(statistics);
        assertThat(statistics[0]).as("rx_dropped: the frames longer than the room").isEqualTo(lengths.length - fits);
        // outside the frames every guest byte is as it was: the headers, the tails of the buffers, the rest
        for (long at = 0; at < guestBytes; at++)
        {
            final long i = at / buffer;
            final long inBuffer = at % buffer;
            final boolean frame = i < fits && inBuffer >= header && inBuffer < header + lengthOfReceived(lengths, room, (int)i);
            if (!frame)
            {
                assertThat(guest.get(JAVA_BYTE, at)).as("guest byte %d", at).isEqualTo((byte)0x5a);
            }
        }
    }

    /** The length of the {@code n}-th frame of {@code lengths} that fits in {@code room}. */
    private static int lengthOfReceived(final int[] lengths, final int room, final int n)
    {
        int seen = 0;
        for (final int length : lengths)
        {
            if (length <= room && seen++ == n)
            {
                return length;
            }
        }
        throw new IllegalArgumentException("frame " + n);
    }

    /** The veth pair a-b, both ends up with {@code mtu} and no IPv6 chatter (router solicitations, MLD). */
    private void vethPair(final String mtu) throws IOException, InterruptedException
    {
        run("ip", "link", "del", a);
        require("ip", "link", "add", a, "type", "veth", "peer", "name", b);
        for (final String end : List.of(a, b))
        {
            require("sysctl", "-qw", "net.ipv6.conf." + end + ".disable_ipv6=1");
            require("ip", "link", "set", end, "mtu", mtu, "up");
        }
    }

    /** A shared memfd mapping, as guest memory is, filled with 0x5a. */
    private MemorySegment sharedMemory(final long bytes)
    {
        final int memfd = MemFd.create("guest", bytes);
        assertThat(memfd).isPositive();
        final MemorySegment guest = MemoryMap.mmap(bytes, MemoryMap.PROT_READ | MemoryMap.PROT_WRITE,
            MemoryMap.MAP_SHARED, memfd, 0).reinterpret(bytes);
        FileIo.close(memfd);
        open.add(() -> MemoryMap.munmap(guest.address(), bytes));
        guest.fill((byte)0x5a);
        return guest;
    }

    /** A socket on b whose UMEM is {@code hostBytes} of anonymous memory followed by an mremap alias of {@code guest}. */
    private XdpSocket socketOverGuest(final MemorySegment guest, final long hostBytes, final int headroom)
    {
        final long guestBytes = guest.byteSize();
        final MemorySegment umem = MemoryMap.reserve(hostBytes + guestBytes).reinterpret(hostBytes + guestBytes);
        open.add(() -> MemoryMap.munmap(umem.address(), umem.byteSize()));
        assertThat(MemoryMap.anonymousAt(umem.address(), hostBytes)).isZero();
        assertThat(MemoryMap.aliasShared(guest.address(), guestBytes, umem.address() + hostBytes)).isZero();
        final int ifIndex = NetInterfaces.index(b);
        final int map = redirectInto(ifIndex);
        final XdpSocket socket = XdpSocket.openOver(ifIndex, 0, umem, FRAME_SIZE, headroom, XdpUmemReg.XDP_UMEM_UNALIGNED_CHUNK_FLAG,
            RING, RING, SockaddrXdp.XDP_COPY);
        open.add(socket);
        assertThat(Bpf.updateElement(map, 0, socket.fd())).isZero();
        return socket;
    }

    /** The XSK redirect program in the generic hook of {@code ifIndex}. @return its XSKMAP */
    private int redirectInto(final int ifIndex)
    {
        final int map = Bpf.createMap(Bpf.BPF_MAP_TYPE_XSKMAP, 4, 4, 1, "xsks");
        assertThat(map).as(Errno.describe(-map)).isPositive();
        open.add(() -> FileIo.close(map));
        final int program = XskRedirectProgram.load(map);
        open.add(() -> FileIo.close(program));
        final int link = Bpf.attachXdp(program, ifIndex, Bpf.XDP_FLAGS_SKB_MODE);
        assertThat(link).as(Errno.describe(-link)).isPositive();
        open.add(() -> FileIo.close(link));
        return map;
    }

    private XdpSocket socketOn(final String ifName)
    {
        final int ifIndex = NetInterfaces.index(ifName);
        assertThat(ifIndex).isPositive();
        final int map = redirectInto(ifIndex);
        final XdpSocket socket = XdpSocket.open(ifIndex, 0, FRAMES, FRAME_SIZE, RING, RING, SockaddrXdp.XDP_COPY);
        open.add(socket);
        assertThat(Bpf.updateElement(map, 0, socket.fd())).isZero();
        // the first half of the UMEM receives: all of it in the fill ring
        final XdpRing fill = socket.fill();
        assertThat(fill.free(RING)).isEqualTo(RING);
        for (int i = 0; i < RING; i++)
        {
            fill.putAddress(i, (long)i * FRAME_SIZE);
        }
        fill.submit(RING);
        return socket;
    }

    /** Frames of 60 bytes to the broadcast address, from the second half of the UMEM, marked {@code mark} and numbered. */
    private static void send(final XdpSocket socket, final int count, final int mark)
    {
        final int[] lengths = new int[count];
        java.util.Arrays.fill(lengths, 60);
        send(socket, lengths, mark);
    }

    /** Frames of the given lengths to the broadcast address, marked {@code mark}, numbered, each ending in its number's low byte. */
    private static void send(final XdpSocket socket, final int[] lengths, final int mark)
    {
        final int count = lengths.length;
        final MemorySegment umem = socket.umem();
        final XdpRing tx = socket.tx();
        assertThat(tx.free(count)).isEqualTo(count);
        for (int i = 0; i < count; i++)
        {
            final long at = (long)(RING + i) * FRAME_SIZE;
            umem.asSlice(at, lengths[i]).fill((byte)0);
            umem.asSlice(at, 6).fill((byte)0xff);
            umem.set(JAVA_BYTE, at + 6, (byte)0x02);
            umem.set(JAVA_SHORT_UNALIGNED, at + 12, Short.reverseBytes(ETHER_TYPE));
            umem.set(JAVA_INT_UNALIGNED, at + 14, mark);
            umem.set(JAVA_INT_UNALIGNED, at + 18, i);
            if (lengths[i] > 60)
            {
                umem.set(JAVA_BYTE, at + lengths[i] - 1, (byte)i);
            }
            tx.putDesc(i, at, lengths[i]);
        }
        tx.submit(count);
        // in copy mode each sendto sends one batch; go on until the kernel took them all
        for (int tries = 0; tries < 100 && tx.outstanding() > 0; tries++)
        {
            final int rc = socket.kick();
            assertThat(rc == 0 || rc == -Errno.EAGAIN || rc == -105).as(Errno.describe(-rc)).isTrue(); // ENOBUFS
        }
        assertThat(tx.outstanding()).isZero();
        final XdpRing completion = socket.completion();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        int done = 0;
        while (done < count && System.nanoTime() < deadline)
        {
            final int n = completion.available(count - done);
            completion.release(n);
            done += n;
        }
        assertThat(done).isEqualTo(count);
    }

    /** Frames marked {@code mark} received within 2 s, checking each one's number in order; other frames are put back. */
    private static int receive(final XdpSocket socket, final int expected, final int mark)
    {
        final XdpRing rx = socket.rx();
        final XdpRing fill = socket.fill();
        final MemorySegment umem = socket.umem();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        int got = 0;
        while (System.nanoTime() < deadline)
        {
            final int n = rx.available(RING);
            assertThat(fill.free(n)).isEqualTo(n);
            for (int i = 0; i < n; i++)
            {
                final long address = rx.address(i);
                if (rx.length(i) == 60 && umem.get(JAVA_SHORT_UNALIGNED, address + 12) == Short.reverseBytes(ETHER_TYPE) &&
                    umem.get(JAVA_INT_UNALIGNED, address + 14) == mark)
                {
                    assertThat(umem.get(JAVA_INT_UNALIGNED, address + 18)).isEqualTo(got);
                    got++;
                }
                fill.putAddress(i, address - address % FRAME_SIZE);
            }
            rx.release(n);
            fill.submit(n);
            if (n == 0 && got >= expected)
            {
                break;
            }
        }
        return got;
    }

    private static void require(final String... command) throws IOException, InterruptedException
    {
        final String output = run(command);
        assertThat(output).as(String.join(" ", command)).doesNotStartWith("exit ");
    }

    /** @return the output, prefixed "exit N: " when the command failed */
    private static String run(final String... command) throws IOException, InterruptedException
    {
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        process.waitFor(10, TimeUnit.SECONDS);
        return process.exitValue() == 0 ? output : "exit " + process.exitValue() + ": " + output;
    }
}
